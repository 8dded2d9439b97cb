"""A second opinion in a real browser: the reviewer asks, the second instructor scores on their own page without
seeing the first levels, the course leader sees the disagreement flagged and decides, the reviewer releases, and the
student reads that the feedback was moderated. Every new page is checked with axe."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.db import db
from app.plans.states import PlanState
from app.reviews import services
from tests.a11y import assert_no_serious_violations
from tests.plan_helpers import World
from tests.test_browser_reviews import sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("CAREPLAN_SCREENSHOTS", "/tmp/careplan-screenshots"))
FIRST = {"language": "solid", "voice": "emerging", "resources": "solid", "measures": "not_yet",
         "coordination": "solid", "determinants": "solid", "consent": "solid"}


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_second_opinion_from_request_to_released_moderated_feedback(page, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores={k: {"level": v, "comment": "FIRST-RATER note" if k == "measures"
                                                           else ""} for k, v in FIRST.items()},
                         overall="Thank you for listening to Anna.")
    db.session.commit()
    page.goto("/")

    reviewer = sign_in(page, world.reviewer.email)
    reviewer.goto(f"/plans/{plan.id}/review")
    reviewer.get_by_role("link", name="Ask for a second opinion…").click()
    assert_no_serious_violations(reviewer)
    reviewer.get_by_label("Who gives the second opinion").select_option(label=world.instructor.name)
    reviewer.get_by_label("Why (optional; the second instructor reads it)").fill("Unsure about the measures.")
    reviewer.get_by_role("button", name="Ask for the second opinion").click()
    reviewer.locator("#second-opinion").get_by_text("Second opinion requested").wait_for()
    assert reviewer.get_by_role("button", name="Save and release…").count() == 1
    reviewer.goto(f"/plans/{plan.id}/release")  # refused while the second opinion is open
    reviewer.get_by_text("waits for its decision").first.wait_for()

    second = sign_in(page, world.instructor.email)
    second.goto("/notifications/")
    second.get_by_text("asks for your second opinion").click()
    second.locator("#independent").wait_for()
    assert "FIRST-RATER note" not in second.content()
    assert_no_serious_violations(second)
    # Half done, saved as a draft: it is there again after leaving the page.
    second.locator('input[name="level-language"][value="solid"]').check()
    second.locator("#comment-measures").fill("DRAFT: the measures name a service.")
    second.get_by_role("button", name="Save draft").click()
    second.get_by_text("Your draft is saved").wait_for()
    second.goto("/")
    second.goto(f"/plans/{plan.id}/second-opinion")
    assert second.locator('input[name="level-language"][value="solid"]').is_checked()
    assert second.locator("#comment-measures").input_value() == "DRAFT: the measures name a service."
    second.get_by_text("Only you see it until you submit").first.wait_for()
    second.get_by_role("button", name="Save draft").scroll_into_view_if_needed()
    screenshot(second, "second-opinion-draft-again.png")
    # Something changed and not saved: leaving asks first, and staying keeps it.
    second.locator('input[name="level-voice"][value="emerging"]').check()
    asked = []
    second.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    second.get_by_role("link", name="Home").first.click()
    second.wait_for_timeout(300)
    assert asked == ["beforeunload"] and second.url.endswith("/second-opinion")
    assert second.locator('input[name="level-voice"][value="emerging"]').is_checked()
    for key, level in {**FIRST, "measures": "solid"}.items():
        second.locator(f'input[name="level-{key}"][value="{level}"]').check()
    second.locator("#comment-measures").fill("SECOND-RATER: every measure has a service and a role.")
    screenshot(second, "second-opinion-scoring.png")
    second.get_by_role("button", name="Submit my second opinion").click()
    second.get_by_text("Your second opinion is in").wait_for()
    assert "two levels or more apart" in second.content()
    assert_no_serious_violations(second)

    leader = sign_in(page, world.leader.email)
    leader.goto(f"/assignments/{world.assignment.id}/dashboard")
    leader.get_by_role("link", name="Second opinion differs: Concrete measures and responsibilities").click()
    leader.locator(".flag-disagreement").wait_for()
    assert_no_serious_violations(leader)
    leader.get_by_role("link", name="Compare and decide").click()
    assert "SECOND-RATER: every measure" in leader.content() and "FIRST-RATER note" in leader.content()
    assert_no_serious_violations(leader)
    leader.locator('input[name="decision-measures"][value="emerging"]').check()
    leader.get_by_label("Why this level (optional, kept with the decision)").nth(3).fill("Between the two.")
    screenshot(leader, "second-opinion-decide.png")
    leader.get_by_role("button", name="Decide and set the review's levels").click()
    leader.get_by_text("Decided. The review's levels").wait_for()
    screenshot(leader, "second-opinion-decided-review.png")

    # The second instructor hears of the decision and reads it beside their own levels.
    second.goto("/notifications/")
    second.get_by_text("is decided").first.click()
    decision = second.locator("#decision")
    decision.wait_for()
    assert world.leader.name in decision.inner_text()
    row = second.locator("tr", has_text="Concrete measures and responsibilities")
    assert "On the way" in row.locator("td").last.inner_text() and "Between the two." in row.inner_text()
    assert_no_serious_violations(second)
    screenshot(second, "second-opinion-decided-for-the-second-instructor.png")

    reviewer.goto(f"/plans/{plan.id}/release")
    reviewer.get_by_role("button", name="Release feedback").click()
    reviewer.get_by_text("Feedback released").first.wait_for()

    student = sign_in(page, world.owner.email)
    student.goto(f"/plans/{plan.id}/feedback")
    student.get_by_text("This feedback was moderated: a second instructor also scored it.").wait_for()
    assert "SECOND-RATER" not in student.content() and world.instructor.name not in student.content()
    assert student.locator("#criterion-measures").get_by_text("On the way").count() >= 1
    screenshot(student, "second-opinion-student-feedback.png")
