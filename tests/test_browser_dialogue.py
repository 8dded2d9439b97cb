"""In the browser: the student replies to a comment, rates it and writes a revision plan by keyboard, nothing typed is
lost on the way to revising; the next version's reviewer reads the answers and marks the plan. Every page involved
passes axe."""
from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.models import AnchoredComment, FeedbackReply, RevisionIntention
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots-dialogue")
REVISED = {**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"],
                                        "what_matters": "I want a home of my own with Luna, near my sister."}}


def returned_plan():
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, overall="Thanks", scores={
        "voice": {"level": "emerging", "comment": "Use her words."},
        "language": {"level": "exemplary", "comment": "Warm and plain."},
        "measures": {"level": "solid", "comment": "Add dates."}})
    world.comment = services.add_comment(plan, world.reviewer, key="what_matters", quote="home", start=None,
                                         body="Which home?")
    services.release(plan, world.reviewer)
    db.session.commit()
    return world


def intentions():
    db.session.expire_all()
    return {i.criterion_key: i.text for i in db.session.scalars(db.select(RevisionIntention))}


def eventually(check, seconds: float = 5.0):
    """A save sent as the page leaves lands a moment later."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return check()


def test_the_student_replies_rates_and_plans_by_keyboard(page, app):
    os.makedirs(SHOTS, exist_ok=True)
    world = returned_plan()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    assert_no_serious_violations(page)
    page.screenshot(path=f"{SHOTS}/feedback-before.png", full_page=True)
    # a reply to the comment on a passage, all by keyboard
    answers = page.locator(f"#answers-comment-{world.comment.id}")
    answers.locator("summary", has_text="Reply").focus()
    page.keyboard.press("Enter")
    answers.get_by_label("What kind of reply").select_option("question")
    answers.get_by_label("Your reply").fill("Do you mean the flat I applied for?")
    answers.get_by_role("button", name="Send reply").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/feedback?version=1#comment-{world.comment.id}")
    thread = page.locator(f"#answers-comment-{world.comment.id} .reply-thread")
    assert "Do you mean the flat I applied for?" in thread.inner_text() and "Question" in thread.inner_text()
    # how helpful it was: a button that says it is chosen
    very = page.locator(f"#answers-comment-{world.comment.id}").get_by_role("button", name="Very helpful")
    very.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Your rating is saved.")
    very = page.locator(f"#answers-comment-{world.comment.id}").get_by_role("button", name="Very helpful")
    expect(very).to_have_attribute("aria-pressed", "true")
    db.session.expire_all()
    assert db.session.get(AnchoredComment, world.comment.id).helpful == 3
    # the revision plan saves itself
    voice = page.get_by_label("The person's voice and goals: what I will change")
    voice.fill("Quote Anna in every goal.")
    page.locator("#revision-plan-status.is-saved").wait_for()
    assert intentions() == {"voice": "Quote Anna in every goal."}
    assert page.get_by_label("Respectful, plain language: what I will change").count() == 0  # top level: nothing
    page.screenshot(path=f"{SHOTS}/feedback-answered.png", full_page=True)
    assert_no_serious_violations(page)
    # typed just before "Revise the plan": saved on the way
    page.get_by_label("Concrete measures and responsibilities: what I will change").fill("A date on each measure.")
    page.locator("#reflection").get_by_text("Revise the plan").click()
    page.wait_for_url(f"**/plans/{world.plan.id}")
    assert eventually(lambda: intentions().get("measures") == "A date on each measure.")


def test_a_reply_typed_but_not_sent_makes_the_browser_ask(page, app):
    world = returned_plan()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    answers = page.locator(f"#answers-comment-{world.comment.id}")
    answers.locator("summary", has_text="Reply").click()
    answers.get_by_label("Your reply").fill("Half a thought")
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert answers.get_by_label("Your reply").input_value() == "Half a thought"
    # a refused reply comes back as typed
    answers.get_by_label("What kind of reply").select_option("disagree")
    answers.get_by_label("Your reply").fill("")
    answers.get_by_role("button", name="Send reply").click()
    answers = page.locator(f"#answers-comment-{world.comment.id}")
    expect(answers).to_contain_text("Say why you disagree")
    assert answers.get_by_label("What kind of reply").input_value() == "disagree"
    page.screenshot(path=f"{SHOTS}/reply-refused.png", full_page=True)
    assert_no_serious_violations(page)
    assert db.session.scalar(db.select(db.func.count(FeedbackReply.id))) == 0


def test_the_next_reviewer_reads_the_answers_and_marks_the_plan(page, app):
    world = returned_plan()
    plan = world.plan
    review = services.review_for(plan.versions[0])
    services.add_reply(plan, world.owner, world.comment, "question", "Do you mean the flat I applied for?")
    services.add_reply(plan, world.owner, review.score_for("voice"), "disagree", "These are her words.")
    services.rate(plan, world.owner, world.comment, 3)
    services.save_intentions(plan, world.owner, review, {"voice": "Quote Anna in every goal."})
    db.session.commit()
    plan_services.save_draft(plan, world.owner, plan.save_token, REVISED)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    sign_in(page, world.reviewer.email)
    page.goto(f"/plans/{plan.id}/review")
    voice = page.locator("#criterion-voice")
    assert "These are her words." in voice.inner_text() and "Quote Anna in every goal." in voice.inner_text()
    assert "Very helpful" in page.locator(".since-card").inner_text()
    page.locator("#intention-voice").screenshot(path=f"{SHOTS}/review-intention.png")
    voice.get_by_label("Partly").check()
    page.locator("#review-save-status.is-saved").wait_for()
    db.session.expire_all()
    current = services.review_for(plan.versions[1])
    assert current.score_for("voice").intention_outcome == "partly"
    page.screenshot(path=f"{SHOTS}/review-page.png", full_page=True)
    assert_no_serious_violations(page)
    # the changed passage the intention links to
    voice.get_by_role("link", name="What matters to me").click()
    page.wait_for_url(f"**/plans/{plan.id}/diff?from=1&to=2#d-what_matters")
    # the answers are part of the version's page and its print
    page.goto(f"/plans/{plan.id}/versions/1")
    assert "Do you mean the flat I applied for?" in page.inner_text("main")
    page.screenshot(path=f"{SHOTS}/version-1.png", full_page=True)
    assert_no_serious_violations(page)
    page.goto(f"/plans/{plan.id}/history")
    assert_no_serious_violations(page)
    page.goto(f"/plans/{plan.id}/versions/1/print")
    assert "Quote Anna in every goal." in page.inner_text("body")
    page.screenshot(path=f"{SHOTS}/print-1.png", full_page=True)
