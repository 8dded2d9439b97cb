"""In a real browser: a course leader marks a calibration plan and writes the reference; an instructor calibrates
(chooses levels, submits) and sees their levels beside the reference and the others; the leader reads whether the
reviewers agree and reviews the reviews. Every new page passes axe."""
from __future__ import annotations

import os

import pytest

from app.calibration import queries
from app.calibration import services as calibration
from app.db import db
from app.plans.states import PlanState
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import World

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def _shot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"calibration-{name}.png"), full_page=True)


def test_the_leader_marks_a_calibration_plan_and_writes_the_reference(page, app):
    world = World()
    world.write()
    world.to_state(PlanState.submitted)
    sign_in(page, world.leader.email)
    page.goto(f"/assignments/{world.assignment.id}/dashboard")
    page.get_by_role("link", name="Calibration", exact=True).click()
    page.get_by_role("heading", name=f"Calibration: {world.assignment.title}").wait_for()
    assert_no_serious_violations(page)
    _shot(page, "index-empty")
    page.get_by_role("link", name="Mark a calibration plan").click()
    assert_no_serious_violations(page)
    _shot(page, "new")
    page.locator("#title").fill("Plan for the first meeting")
    page.get_by_label("Plan version").select_option(index=1)
    page.get_by_role("button", name="Keep as calibration plan").click()
    page.get_by_text("Confirm that the student agreed").wait_for()  # refused: consent not ticked, title kept
    assert page.locator("#title").input_value() == "Plan for the first meeting"
    page.get_by_label("The student agreed").check()
    page.get_by_role("button", name="Keep as calibration plan").click()
    page.get_by_role("heading", name="Reference: Plan for the first meeting").wait_for()
    assert_no_serious_violations(page)
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.locator("input[type=radio][value=solid]").check()
    page.locator("textarea").first.fill("A model comment in the person's words.")
    _shot(page, "reference")
    page.get_by_role("button", name="Save the reference").click()
    page.get_by_text("The reference is saved.").wait_for()
    page.get_by_label("Yes: no claiming or starting a review before it").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Reviewers must now submit a calibration review").wait_for()
    assert_no_serious_violations(page)
    [kept] = queries.plans_of(world.assignment.id)
    assert kept.reference_for(kept.rubric_version.criterion_keys()[0]).level_key == "solid"
    assert queries.is_required(world.assignment.id)


def test_an_instructor_calibrates_and_sees_the_comparison_and_the_leader_sees_agreement(page, app):
    world = World()
    world.write()
    plan = world.to_state(PlanState.submitted)
    criteria = plan.rubric_version.criterion_keys()
    for title in ("A", "B"):
        cal = calibration.mark_version(world.assignment, world.leader, plan.latest_version, title=title,
                                       consent=True)
        calibration.save_reference(cal, world.leader, levels={k: "solid" for k in criteria},
                                   comments={k: "Model: in Anna's words" for k in criteria})
        calibration.save_calibration(cal, world.reviewer, levels={k: "emerging" for k in criteria}, comments={},
                                     submit=True)
    calibration.set_required(world.assignment, world.leader, True)
    db.session.commit()

    sign_in(page, world.instructor.email)
    page.goto(f"/assignments/{world.assignment.id}/calibration")
    page.get_by_text("before their first review").first.wait_for()
    page.get_by_role("link", name="A", exact=True).click()
    page.get_by_role("heading", name="Calibration: A").wait_for()
    assert_no_serious_violations(page)
    page.locator("fieldset.criterion").first.locator("input[value=solid]").check()
    page.get_by_role("button", name="Submit calibration review").click()
    page.get_by_text("Choose a level for every criterion").wait_for()  # nothing chosen is lost
    assert page.locator("fieldset.criterion").first.locator("input[value=solid]").is_checked()
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.locator("input[value=solid]").check()
    page.get_by_role("button", name="Submit calibration review").click()
    page.get_by_role("heading", name="Your levels beside the reference and the others").wait_for()
    table = page.locator("#comparison-table").inner_text()
    assert "Rita Reviewer" in table and "same as the reference" in table
    assert "Model: in Anna's words" in page.locator(".model-comments").inner_text()
    assert page.locator("#calibration-form").count() == 0
    assert_no_serious_violations(page)
    _shot(page, "comparison")

    leader = page.context.browser.new_context(base_url=page.url.split("/calibration")[0], locale="en-GB")
    leader_page = leader.new_page()
    sign_in(leader_page, world.leader.email)
    leader_page.goto(f"/assignments/{world.assignment.id}/dashboard#agreement")
    section = leader_page.locator("#agreement")
    section.get_by_role("heading", name="Do the reviewers agree?").wait_for()
    assert "one level milder than the others" in section.inner_text()  # the instructor, on plan A
    assert_no_serious_violations(leader_page)
    _shot(leader_page, "agreement")
    section.get_by_role("link", name="Reviewing the reviews").click()
    leader_page.get_by_role("heading", name=f"Reviewing the reviews: {world.assignment.title}").wait_for()
    assert "Ivar Instructor" in leader_page.locator("#table-reviewing").inner_text()
    assert_no_serious_violations(leader_page)
    _shot(leader_page, "reviewers")
    leader.close()
