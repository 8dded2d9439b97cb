"""The reviewer's work in a real browser: comments on goals and measures as well as on the text sections, and
nothing the reviewer types is thrown away (autosave, comments and the comment bank without reloading, validation
errors that keep the text), with JavaScript and without it."""
from __future__ import annotations

import copy
import re

import pytest

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in as sign_in_here
from tests.plan_helpers import GOOD_CONTENT, World
from tests.test_browser_reviews import SELECT_WORDS, sign_in

pytestmark = pytest.mark.browser

ROWS_CONTENT = copy.deepcopy(GOOD_CONTENT)
ROWS_CONTENT["goals"] = [{"id": "g1", "text": "I want my own flat", "timeframe": "by 1 October"},
                         {"id": "g2", "text": "I want to cook again", "timeframe": "within six months"}]
ROWS_CONTENT["measures"] = [
    {"id": "m1", "what": "Housing application", "service": "Housing office", "role": "Case worker",
     "due": "15 June", "goal_id": "g1"},
    {"id": "m2", "what": "Kitchen shifts with Siv", "service": "Peer support", "role": "Peer worker", "due": "",
     "goal_id": "g2"},
]


def reviewed_plan(content=None) -> World:
    """A submitted plan with its reviewer allocated."""
    world = World()
    world.write(content or GOOD_CONTENT)
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    db.session.commit()
    return world


def comment_on_selection(page, key, words, body):
    assert page.evaluate(SELECT_WORDS, [key, words])
    page.get_by_role("button", name="Comment on the selected words").click()
    assert page.get_by_label("The exact words").input_value() == words
    page.locator("#anchor-body").fill(body)
    page.get_by_role("button", name="Add comment").click()
    page.locator("#comments .comment-list li", has_text=body).wait_for()


def numbers_of(page, words):
    return page.locator("mark.anchor", has_text=words).first.get_attribute("data-comments")


def test_comments_on_goals_and_measures_are_highlighted_numbered_in_reading_order_and_found_again(page, app):
    world = reviewed_plan(ROWS_CONTENT)
    plan_id = world.plan.id
    page.goto("/")
    reviewer = sign_in(page, world.reviewer.email)
    reviewer.goto(f"/plans/{plan_id}/review")

    # a section after the measures first, then a goal's time frame by selecting its words
    comment_on_selection(reviewer, "coordinator", "addiction counsellor", "Who is Lene to Anna?")
    comment_on_selection(reviewer, "goals.g1.timeframe", "1 October", "Whose date is this?")
    # a measure's service by the form: every field of every goal and measure is a passage to choose
    part = reviewer.get_by_label("Part of the plan")
    options = part.locator("option").all_inner_texts()
    for label in ("Goal 1", "Goal 1, time frame", "Goal 2, time frame", "Measure 1", "Measure 1, service",
                  "Measure 1, role", "Measure 1, by when", "Measure 2, role"):
        assert label in options, options
    assert "Measure 2, by when" not in options  # nothing written there: nothing to comment on
    assert options.index("Goal 1, time frame") < options.index("Measure 1, service") < options.index("Coordinator")
    part.select_option(label="Measure 1, service")
    reviewer.get_by_label("The exact words").fill("Housing office")
    reviewer.locator("#anchor-body").fill("Which office, and who there?")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.locator("#comments .comment-list li", has_text="Which office, and who there?").wait_for()

    # highlighted with their numbers, in the order the plan reads: goals, then measures, then the coordinator
    assert numbers_of(reviewer, "1 October") == "1"
    assert numbers_of(reviewer, "Housing office") == "2"
    assert numbers_of(reviewer, "addiction counsellor") == "3"
    listed = reviewer.locator("#comments .comment-list > li").all_inner_texts()
    assert ["Whose date" in listed[0], "Which office" in listed[1], "Who is Lene" in listed[2]] == [True] * 3
    assert "Goal 1, time frame" in listed[0] and "Measure 1, service" in listed[1]
    # an empty field is no passage: nothing to select there
    assert reviewer.locator('.anchor-text[data-anchor-key="measures.m2.due"]').count() == 0
    assert_no_serious_violations(reviewer)

    reviewer.get_by_label("Overall message to the student").fill("Good. Whose words are the dates?")
    reviewer.get_by_role("button", name="Save and release…").click()
    reviewer.get_by_role("button", name="Release feedback").click()
    reviewer.get_by_text("Feedback released").wait_for()

    # the student sees the same highlights and numbers on the feedback page
    student = sign_in(page, world.owner.email)
    student.goto(f"/plans/{plan_id}/feedback")
    assert student.locator("mark.anchor", has_text="1 October").is_visible()
    assert numbers_of(student, "1 October") == "1" and numbers_of(student, "Housing office") == "2"
    assert student.locator("mark.anchor .anchor-ref", has_text="2").first.is_visible()

    # the next version moves the rows and adds words around the passages: the comments find them again
    db.session.refresh(world.plan)
    changed = copy.deepcopy(ROWS_CONTENT)
    changed["goals"] = [changed["goals"][1], changed["goals"][0]]
    changed["goals"][1]["timeframe"] = "Start now, finished by 1 October"
    changed["measures"] = [changed["measures"][1], changed["measures"][0]]
    changed["measures"][1]["service"] = "The Housing office in Fjordvik"
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, changed)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    reviewer.goto(f"/plans/{plan_id}/review")
    earlier = reviewer.locator(".since-card .comment-list > li")
    assert earlier.count() == 3
    assert reviewer.locator(".since-card").get_by_text("passage changed").count() == 0
    since = reviewer.locator(".since-card").inner_text()
    assert re.search(r"Goal 2, time frame.*1 October", since), since
    assert re.search(r"Measure 2, service.*Housing office", since), since


def review_of(world):
    from app.reviews.models import Review

    db.session.expire_all()
    return db.session.scalar(db.select(Review).where(Review.plan_id == world.plan.id))


def test_levels_comments_and_the_overall_message_save_themselves_and_stay_through_every_action(page, app):
    from playwright.sync_api import expect

    world = reviewed_plan()
    plan_id = world.plan.id
    page.goto("/")
    reviewer = sign_in(page, world.reviewer.email)
    reviewer.goto(f"/plans/{plan_id}/review")
    reviewer.evaluate("window.samePage = true")  # gone if the page reloads
    status = reviewer.locator("#review-save-status")
    assert status.get_attribute("role") == "status"
    language = reviewer.locator("fieldset.criterion").first
    overall = reviewer.get_by_label("Overall message to the student")

    # levels, a criterion's comment and the overall message save themselves
    language.get_by_role("radio").nth(2).check()
    language.locator("textarea").fill("Warm and plain.")
    overall.fill("You listened to Anna.")
    expect(status).to_have_text(re.compile(r"Saved \d\d:\d\d"))
    review = review_of(world)
    assert review.overall == "You listened to Anna." and review.score_for("language").level_key == "solid"
    assert review.score_for("language").comment == "Warm and plain."
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.in_review  # saving the review starts it

    # a comment on selected words goes in without reloading the page; what is typed elsewhere stays
    overall.fill("You listened to Anna. Add dates.")
    comment_on_selection(reviewer, "what_matters", "home of my own", "Lovely: her words.")
    reviewer.get_by_text("Comment added to the passage.").wait_for()
    assert reviewer.locator("mark.anchor", has_text="home of my own").count() == 1
    assert reviewer.get_by_label("Your comment", exact=True).first.input_value() == ""  # the form is ready again
    assert reviewer.evaluate("window.samePage") is True
    assert overall.input_value() == "You listened to Anna. Add dates."
    assert language.get_by_role("radio").nth(2).is_checked()

    # saving to the comment bank, the same
    reviewer.get_by_label("New saved comment").fill("Try Anna's own words.")
    reviewer.get_by_role("button", name="Save to your comment bank").click()
    reviewer.locator(".bank-insert li", has_text="Try Anna's own words.").wait_for()
    assert reviewer.get_by_label("New saved comment").input_value() == ""
    assert reviewer.evaluate("window.samePage") is True and overall.input_value() == "You listened to Anna. Add dates."

    # what is wrong is said beside what was typed, and nothing is cleared
    reviewer.get_by_role("button", name="Save to your comment bank").click()
    reviewer.get_by_text("A saved comment needs some text.").wait_for()
    reviewer.get_by_label("The exact words").fill("words that are not in the plan")
    reviewer.locator("#anchor-body").fill("Where did this go?")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.get_by_text("That passage was not found in this part of the plan.").wait_for()
    assert reviewer.get_by_label("The exact words").input_value() == "words that are not in the plan"
    assert reviewer.get_by_label("The exact words").get_attribute("aria-invalid") == "true"
    assert reviewer.locator("#anchor-body").input_value() == "Where did this go?"
    assert reviewer.evaluate("window.samePage") is True and overall.input_value() == "You listened to Anna. Add dates."
    assert_no_serious_violations(reviewer)

    # leaving with an unsent comment asks first
    dialogs = []
    reviewer.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    reviewer.get_by_role("link", name="Edit your comment bank").click()
    reviewer.wait_for_timeout(300)
    assert dialogs == ["beforeunload"] and reviewer.evaluate("window.samePage") is True

    # a comment is deleted without reloading too
    reviewer.get_by_role("button", name="Delete comment 1").click()
    reviewer.get_by_text("Comment deleted.").wait_for()
    assert reviewer.locator("mark.anchor").count() == 0 and reviewer.evaluate("window.samePage") is True

    # away and back: everything is there
    reviewer.locator("#anchor-body").fill("")
    expect(status).to_have_text(re.compile(r"Saved \d\d:\d\d"))
    reviewer.goto("/reviews")
    assert dialogs == ["beforeunload"]
    reviewer.goto(f"/plans/{plan_id}/review")
    assert overall.input_value() == "You listened to Anna. Add dates."
    assert language.get_by_role("radio").nth(2).is_checked()
    assert language.locator("textarea").input_value() == "Warm and plain."
    assert reviewer.locator(".bank-insert li", has_text="Try Anna's own words.").count() == 1


def test_without_javascript_every_action_keeps_what_was_typed(browser, live_server, app):
    world = reviewed_plan()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    reviewer = context.new_page()
    reviewer.set_default_timeout(10_000)
    sign_in_here(reviewer, world.reviewer.email)
    reviewer.goto(f"/plans/{world.plan.id}/review")
    language = reviewer.locator("fieldset.criterion").first
    overall = reviewer.get_by_label("Overall message to the student")

    # a level and the overall message, then a comment by the form: the level and the message stay
    language.get_by_role("radio").nth(1).check()
    overall.fill("Typed before the comment.")
    reviewer.get_by_label("Part of the plan").select_option(label="What matters to me")
    reviewer.get_by_label("The exact words").fill("home of my own")
    reviewer.locator("#anchor-body").fill("Whose words are these?")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.get_by_text("Comment added to the passage.").wait_for()
    assert reviewer.locator("#comments .comment-list li", has_text="Whose words are these?").count() == 1
    assert language.get_by_role("radio").nth(1).is_checked()
    assert overall.input_value() == "Typed before the comment."

    # a comment that cannot be placed: the page says why and keeps everything typed
    overall.fill("Changed again.")
    reviewer.get_by_label("The exact words").fill("not in the plan at all")
    reviewer.locator("#anchor-body").fill("Is this lost?")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.locator(".error-summary").get_by_text("That passage was not found").wait_for()
    assert reviewer.get_by_label("The exact words").input_value() == "not in the plan at all"
    assert reviewer.locator("#anchor-body").input_value() == "Is this lost?"
    assert overall.input_value() == "Changed again." and language.get_by_role("radio").nth(1).is_checked()
    assert reviewer.get_by_label("The exact words").get_attribute("aria-invalid") == "true"
    checker = browser.new_context(base_url=live_server, locale="en-GB").new_page()  # axe needs JavaScript
    checker.goto("/login")
    checker.set_content(reviewer.content())
    assert_no_serious_violations(checker)
    checker.context.close()

    # put right, and then to the comment bank: still all there
    reviewer.get_by_label("The exact words").fill("Luna")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.get_by_text("Comment added to the passage.").wait_for()
    reviewer.get_by_label("New saved comment").fill("Whose words are these?")
    reviewer.get_by_role("button", name="Save to your comment bank").click()
    reviewer.get_by_text("Comment saved to your bank.").wait_for()
    assert reviewer.locator(".bank-insert li", has_text="Whose words are these?").count() == 1
    assert overall.input_value() == "Changed again."
    reviewer.get_by_role("button", name="Delete comment 1").click()
    reviewer.get_by_text("Comment deleted.").wait_for()
    assert reviewer.locator("#comments .comment-list > li").count() == 1
    reviewer.get_by_role("button", name="Save draft review").click()
    reviewer.get_by_text("Review saved as a draft").wait_for()
    review = review_of(world)
    assert review.overall == "Changed again." and [c.body for c in review.comments] == ["Is this lost?"]
    context.close()
