"""The student's reflection on the feedback page is never lost: it saves itself as they write, it is saved before
"Revise the plan" (or any other link) leaves the page, a failed save keeps them on the page with a warning, and
without JavaScript the form posts it."""
from __future__ import annotations

import os
import re

import pytest

from app.db import db
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.models import Reflection
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import World

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots-student")
TYPED = "I will add a date to every measure, and ask Anna who may see the plan."


def returned_plan():
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores={}, overall="Add dates to every measure.")
    services.release(plan, world.reviewer)
    db.session.commit()
    return world


def reflection_text():
    db.session.expire_all()
    found = db.session.scalar(db.select(Reflection))
    return found.text if found else None


def revise(page):
    """The way on to the editor, whether it is a link or a button."""
    return page.locator("#reflection").get_by_text("Revise the plan")


def test_revise_the_plan_saves_the_reflection_typed_just_before(page, app):
    world = returned_plan()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    page.get_by_label("What will you change, and why?").fill(TYPED)
    revise(page).click()  # at once: before any pause could save it
    page.wait_for_url(f"**/plans/{world.plan.id}")
    assert reflection_text() == TYPED
    page.goto(f"/plans/{world.plan.id}/feedback")
    assert page.get_by_label("What will you change, and why?").input_value() == TYPED


def test_the_reflection_saves_itself_and_says_so(page, app):
    world = returned_plan()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    field = page.get_by_label("What will you change, and why?")
    field.fill(TYPED)
    status = page.locator("#reflection-status")
    assert status.get_attribute("role") == "status"
    page.locator("#reflection-status.is-saved").wait_for()
    assert re.fullmatch(r"Saved \d\d:\d\d", status.inner_text().strip())
    assert reflection_text() == TYPED
    page.screenshot(path=f"{SHOTS}/reflection-saved.png", full_page=True)
    assert_no_serious_violations(page)
    # a link elsewhere on the page saves what was typed since, too
    field.fill(TYPED + " And Hilde.")
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url(lambda url: "/notifications" in url)
    assert reflection_text() == TYPED + " And Hilde."


def test_a_failed_save_keeps_the_student_on_the_page_and_warns_before_leaving(page, app):
    world = returned_plan()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    page.route(f"**/plans/{world.plan.id}/reflection", lambda route: route.abort())
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_label("What will you change, and why?").fill(TYPED)
    revise(page).click()
    page.locator("#reflection-status.is-error").wait_for()
    assert page.url.endswith(f"/plans/{world.plan.id}/feedback")
    assert page.get_by_label("What will you change, and why?").input_value() == TYPED
    page.screenshot(path=f"{SHOTS}/reflection-not-saved.png", full_page=True)
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]  # the browser asks before the unsaved text goes
    assert page.url.endswith(f"/plans/{world.plan.id}/feedback")
    assert page.get_by_label("What will you change, and why?").input_value() == TYPED
    # back on line: the way on saves it first
    page.unroute(f"**/plans/{world.plan.id}/reflection")
    revise(page).click()
    page.wait_for_url(f"**/plans/{world.plan.id}")
    assert reflection_text() == TYPED


def test_without_javascript_revise_the_plan_posts_the_reflection(browser, live_server, app):
    world = returned_plan()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    page.get_by_label("What will you change, and why?").fill(TYPED)
    revise(page).click()
    page.wait_for_url(f"**/plans/{world.plan.id}")
    assert reflection_text() == TYPED
    context.close()
