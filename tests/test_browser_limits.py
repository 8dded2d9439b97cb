"""Text past a field's limit is never cut: the field keeps all of it, says next to it how far over the limit it is,
and the save is refused with the server's message until the text is shorter. The plan's sections, its goal and
measure fields and the reflection; with and without JavaScript."""
from __future__ import annotations

import os

import pytest

from app.db import db
from app.plans.content import MAX_FIELD_CHARS, MAX_SECTION_CHARS
from app.plans.models import Plan
from app.plans.states import PlanState
from app.reviews import services as review_services
from app.reviews.models import Reflection
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots-student")


def text_of(length: int) -> str:
    words = "Anna wants a home of her own with Luna. " * (length // 40 + 1)
    return words[:length]


def draft(plan_id):
    db.session.expire_all()
    return db.session.get(Plan, plan_id).draft


def note_for(page, field_id):
    """The message next to a field, as the field names it (aria-describedby)."""
    field = page.locator(f"#{field_id}")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-over" in described, described
    assert field.get_attribute("aria-invalid") == "true"
    return page.locator(f"#{field_id}-over").inner_text()


def test_the_editor_keeps_a_long_paste_and_says_how_far_over_it_is(page, app):
    world = World()
    world.write()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")

    evaluation = page.get_by_label("Evaluation")
    evaluation.fill(text_of(MAX_SECTION_CHARS + 5))
    assert len(evaluation.input_value()) == MAX_SECTION_CHARS + 5  # nothing cut
    assert note_for(page, "section-evaluation") == (
        f"Too long by 5 (the limit is {MAX_SECTION_CHARS} characters). Shorten the text to save it.")
    status = page.locator("#save-status.is-error")
    status.wait_for()
    assert f"Evaluation is too long by 5 (the limit is {MAX_SECTION_CHARS} characters)" in status.inner_text()
    assert draft(world.plan.id)["sections"]["evaluation"] == GOOD_CONTENT["sections"]["evaluation"]
    page.locator("#sec-evaluation").screenshot(path=f"{SHOTS}/limit-section.png")
    assert_no_serious_violations(page)

    # a goal's time frame and a measure's date: their limit too, not a shorter one of the browser's
    page.locator("#goal-0-timeframe").fill(text_of(MAX_FIELD_CHARS + 1))
    assert len(page.locator("#goal-0-timeframe").input_value()) == MAX_FIELD_CHARS + 1
    assert note_for(page, "goal-0-timeframe").startswith("Too long by 1 ")
    page.locator("#measure-0-due").fill(text_of(300))  # within the limit
    assert page.locator("#measure-0-due-over").count() == 0
    page.locator("#measure-0-what").fill(text_of(MAX_FIELD_CHARS + 12))
    assert note_for(page, "measure-0-what").startswith("Too long by 12 ")
    # the message follows its row when the rows move
    page.get_by_role("button", name="Add a goal").click()
    page.locator("#goal-1-text").fill("I want to cook again")
    page.locator("[data-rows=goal] [data-row]").nth(1).get_by_role("button", name="Move up").click()
    assert note_for(page, "goal-1-timeframe").startswith("Too long by 1 ")
    assert page.locator("#goal-0-timeframe-over").count() == 0
    assert page.locator("#goal-0-timeframe").get_attribute("aria-invalid") is None

    # shortened, everything saves
    evaluation.fill(text_of(MAX_SECTION_CHARS))
    page.locator("#goal-1-timeframe").fill("by 1 October")
    page.locator("#measure-0-what").fill("Housing application")
    assert page.locator("#section-evaluation-over").count() == 0
    page.locator("#save-status.is-saved").wait_for()
    saved = draft(world.plan.id)
    assert saved["sections"]["evaluation"] == text_of(MAX_SECTION_CHARS)
    assert saved["measures"][0]["due"] == text_of(300)


def test_the_editor_without_javascript_refuses_a_long_text_and_keeps_it(browser, live_server, app):
    world = World()
    world.write()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    page.get_by_label("Evaluation").fill(text_of(MAX_SECTION_CHARS + 5))
    page.get_by_label("Crisis plan").fill("Call Hilde, then the GP.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.locator(".error-summary").wait_for()
    assert f"Evaluation is too long by 5 (the limit is {MAX_SECTION_CHARS} characters)" in page.locator(
        ".error-summary").inner_text()
    assert page.get_by_label("Evaluation").input_value() == text_of(MAX_SECTION_CHARS + 5)
    assert page.get_by_label("Crisis plan").input_value() == "Call Hilde, then the GP."  # the rest is kept too
    assert note_for(page, "section-evaluation").startswith("Too long by 5 ")
    page.screenshot(path=f"{SHOTS}/limit-form.png")
    assert draft(world.plan.id)["sections"]["evaluation"] == GOOD_CONTENT["sections"]["evaluation"]
    page.get_by_label("Evaluation").fill("Every month, with Anna.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.get_by_text("Saved at").wait_for()
    assert draft(world.plan.id)["sections"]["crisis_plan"] == "Call Hilde, then the GP."
    context.close()


def _returned_plan():
    world = World()
    plan = world.to_state(PlanState.in_review)
    review_services.save_review(plan, world.reviewer, scores={}, overall="Add dates.")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    return world


def _reflections():
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Reflection))


@pytest.mark.parametrize("script", [True, False], ids=["with script", "without script"])
def test_a_long_reflection_is_kept_and_refused_with_how_far_over_it_is(browser, live_server, app, script):
    world = _returned_plan()
    limit = review_services.MAX_COMMENT
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    field = page.get_by_label("What will you change, and why?")
    field.fill(text_of(limit + 10))
    message = f"Too long by 10 (the limit is {limit} characters). Shorten the text to save it."
    if script:
        assert note_for(page, "reflection-text") == message
        page.locator("#reflection-status.is-error").wait_for()  # refused by the server, in its words
        assert page.locator("#reflection-status").inner_text().strip() == "Not saved"
        assert note_for(page, "reflection-text") == message
        page.locator("#reflection").screenshot(path=f"{SHOTS}/limit-reflection.png")
        assert_no_serious_violations(page)
    else:
        page.get_by_role("button", name="Revise the plan").click()
        page.wait_for_url(lambda url: url.endswith("/reflection"))
        assert note_for(page, "reflection-text") == message
    assert field.input_value() == text_of(limit + 10)
    assert _reflections() == 0
    field.fill(text_of(limit))
    if script:
        page.locator("#reflection-status.is-saved").wait_for()
        assert page.locator("#reflection-text-over").count() == 0
    else:
        page.get_by_role("button", name="Save reflection").click()
        page.get_by_text("Your reflection is saved.").wait_for()
    assert _reflections() == 1
    context.close()
