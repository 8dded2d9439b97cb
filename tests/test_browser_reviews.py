"""The whole feedback loop in a real browser, and axe checks of the review page and the feedback view."""
from __future__ import annotations

import re

import pytest

from app.plans.states import PlanState
from tests.a11y import assert_no_serious_violations
from tests.plan_helpers import World

pytestmark = pytest.mark.browser

SELECT_WORDS = """([key, words]) => {
  const box = document.querySelector(`.anchor-text[data-anchor-key="${key}"]`);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.textContent.indexOf(words);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def sign_in(page, email):
    """Each person gets a browser of their own, as in real life."""
    page = page.context.browser.new_context(base_url=page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2],
                                            accept_downloads=True).new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_the_whole_feedback_loop(page, app):
    world = World()
    world.write()
    plan_id = world.plan.id
    page.goto("/")

    # the student submits
    page = sign_in(page, world.owner.email)
    page.goto(f"/plans/{plan_id}/submit")
    page.get_by_role("button", name="Submit version 1").click()
    page.get_by_text("Version 1 is submitted.").wait_for()

    # the course leader allocates every waiting plan
    page = sign_in(page, world.leader.email)
    page.goto(f"/assignments/{world.assignment.id}/allocation")
    page.get_by_role("button", name=re.compile("Allocate the 1 waiting plan")).click()
    page.get_by_text("1 plan allocated.").wait_for()
    reviewer_email = next(u.email for u in (world.reviewer, world.instructor)
                          if page.get_by_role("row", name=re.compile(world.owner.name)).inner_text().find(u.name) >= 0)

    # the instructor scores every criterion, comments on a selected passage, releases
    page = sign_in(page, reviewer_email)
    page.goto("/reviews")
    page.get_by_role("link", name=world.owner.name).click()
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.get_by_role("radio").nth(2).check()
    page.get_by_label("Overall message to the student").fill("You listened to Anna. Add dates to every measure.")
    page.get_by_role("button", name="Save draft review").click()
    page.get_by_text("Review saved as a draft").wait_for()
    assert page.evaluate(SELECT_WORDS, ["what_matters", "home of my own"])
    page.get_by_role("button", name="Comment on the selected words").click()
    assert page.get_by_label("The exact words").input_value() == "home of my own"
    page.get_by_label("Your comment", exact=True).first.fill("Lovely: this is how Anna says it.")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added to the passage.").wait_for()
    assert page.locator("mark.anchor", has_text="home of my own").count() == 1
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Save and release…").click()
    page.get_by_role("button", name="Release feedback").click()
    page.get_by_text("Feedback released").wait_for()

    # the student sees the highlight, marks it addressed, reflects, revises and resubmits
    page = sign_in(page, world.owner.email)
    page.goto(f"/plans/{plan_id}/feedback")
    assert page.locator("mark.anchor", has_text="home of my own").is_visible()
    assert page.get_by_text("Lovely: this is how Anna says it.").is_visible()
    assert_no_serious_violations(page)
    page.get_by_role("button", name=re.compile("Mark as addressed")).click()
    page.get_by_text("Addressed", exact=True).wait_for()
    page.get_by_label("What will you change, and why?").fill("I will add a date to every measure.")
    page.get_by_role("button", name="Save reflection").click()
    page.get_by_text("Your reflection is saved.").wait_for()
    page.get_by_role("button", name="Revise the plan").click()
    page.locator("#measure-0-due").fill("by 15 June, with Anna")
    page.locator("#save-status.is-saved").wait_for()
    page.get_by_role("button", name="Save and submit…").click()
    page.get_by_role("button", name="Submit version 2").click()
    page.get_by_text("Version 2 is submitted.").wait_for()

    # the same instructor gets it back, sees what changed, and completes
    page = sign_in(page, reviewer_email)
    page.goto(f"/plans/{plan_id}/review")
    assert page.get_by_text("I will add a date to every measure.").is_visible()
    assert page.get_by_text("marked addressed").is_visible()
    page.get_by_role("link", name="See what changed since version 1").click()
    assert page.locator("ins", has_text="with Anna").count() >= 1
    page.goto(f"/plans/{plan_id}/review")
    page.get_by_label("Overall message to the student").fill("Every measure has a date now. Well done.")
    page.get_by_role("button", name="Save and mark complete…").click()
    page.get_by_role("button", name="Mark complete").click()
    page.get_by_text("is complete").wait_for()

    # the student downloads the final plan
    page = sign_in(page, world.owner.email)
    page.goto(f"/plans/{plan_id}")
    assert page.get_by_text("Your plan is complete.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    world.plan = world.plan  # keep the world alive until the end
    from app.db import db

    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.completed


def test_the_release_confirmation_warns_about_what_the_review_leaves_out(page, app):
    from app.db import db
    from app.reviews import services

    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    services.save_review(plan, world.reviewer, scores={"voice": {"level": "solid", "comment": "Her words"}},
                         overall="")
    db.session.commit()
    page.goto("/")
    page = sign_in(page, world.reviewer.email)
    page.goto(f"/plans/{plan.id}/release")
    warnings = page.locator("#confirm-warnings").inner_text()
    assert "No level is given for" in warnings and "There is no overall message." in warnings
    page.screenshot(path="/tmp/shots-confirm/release-warnings.png", full_page=True)
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Release feedback").click()
    page.get_by_text("Feedback released to").wait_for()
