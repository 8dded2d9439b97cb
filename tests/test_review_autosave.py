"""The review saves itself, and nothing the reviewer types is dropped: the answers of the review page's routes."""
from __future__ import annotations

import re

from app.db import db
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.models import Review
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import World


def reviewer_of_a_submitted_plan(make_client):
    world = World()
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    db.session.commit()
    client = make_client()
    login(client, world.reviewer.email)
    return world, client


def the_review(world) -> Review:
    db.session.expire_all()
    return db.session.scalar(db.select(Review).where(Review.plan_id == world.plan.id))


def send(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client)})


def test_the_review_saves_itself_as_json_and_the_first_save_starts_it(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    url = f"/plans/{world.plan.id}/review/draft"
    answer = send(client, url, {"level-language": "solid", "comment-language": "Warm.", "overall": "Thanks."})
    assert answer.status_code == 200 and re.fullmatch(r"Saved \d\d:\d\d", answer.get_json()["saved_label"])
    review = the_review(world)
    assert review.overall == "Thanks." and review.score_for("language").level_key == "solid"
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.in_review
    # a level taken back, a comment changed: the whole review as the page holds it
    assert send(client, url, {"level-language": "", "comment-language": "Warmer.", "overall": "Thanks!"}).status_code == 200
    review = the_review(world)
    assert review.score_for("language").level_key is None and review.score_for("language").comment == "Warmer."
    wrong = send(client, url, {"level-language": "brilliant", "overall": "Kept?"})
    assert wrong.status_code == 400 and "Unknown level" in wrong.get_json()["error"]
    assert the_review(world).overall == "Thanks!"
    assert send(client, url, ["not", "an", "object"]).status_code == 400
    # someone else's review cannot be saved; once released, it cannot be changed and says so
    other = make_client()
    login(other, world.instructor.email)
    assert send(other, url, {"overall": "Mine now"}).status_code == 403
    services.release(world.plan, world.reviewer)
    db.session.commit()
    late = send(client, url, {"overall": "Too late"})
    assert late.status_code == 409 and "not waiting for a review" in late.get_json()["error"]


def test_a_comment_that_cannot_be_placed_keeps_everything_typed(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    page = post(client, f"/plans/{world.plan.id}/review", {
        "level-voice": "solid", "comment-voice": "Her own words.", "overall": "So far, so good.", "then": "comment",
        "key": "what_matters", "quote": "words that are not there", "body": "A thought worth keeping"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "That passage was not found" in html
    assert ">words that are not there</textarea>" in html and ">A thought worth keeping</textarea>" in html
    assert 'value="solid" checked' in html and ">So far, so good.</textarea>" in html
    assert 'aria-invalid="true">words that are not there' in html
    review = the_review(world)  # the review itself was saved
    assert review.overall == "So far, so good." and review.comments == []
    # a comment without words says which field is wrong, to the page's script as well
    empty = send(client, f"/plans/{world.plan.id}/review/comments", {"key": "network", "quote": "", "body": "Who?"})
    assert empty.status_code == 400 and empty.get_json()["field"] == "quote"
    empty = send(client, f"/plans/{world.plan.id}/review/comments", {"key": "network", "quote": "Hilde", "body": " "})
    assert empty.status_code == 400 and empty.get_json()["field"] == "body"
    # the comment form posted on its own is answered with the page, not a message and an empty form
    alone = post(client, f"/plans/{world.plan.id}/review/comments", {"key": "network", "quote": "nobody", "body": "Hm"})
    assert alone.status_code == 400 and ">nobody</textarea>" in alone.get_data(as_text=True)


def test_any_button_keeps_a_comment_and_a_bank_text_typed_beside_it(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    saved = post(client, f"/plans/{world.plan.id}/review", {
        "overall": "Saved with the rest.", "key": "what_matters", "quote": "home", "body": "Whose word?",
        "bank_text": "Try the person's own words."})
    assert saved.status_code == 302
    review = the_review(world)
    assert review.overall == "Saved with the rest." and [c.body for c in review.comments] == ["Whose word?"]
    assert [entry.text for entry in services.bank_of(world.reviewer)] == ["Try the person's own words."]
    # deleting a comment saves the review too
    comment_id = review.comments[0].id
    deleted = post(client, f"/plans/{world.plan.id}/review", {"overall": "Changed.", "delete_comment": comment_id})
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("#comments")
    review = the_review(world)
    assert review.overall == "Changed." and review.comments == []


def test_comments_and_the_bank_answer_with_the_parts_of_the_page_they_change(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    added = send(client, f"/plans/{world.plan.id}/review/comments",
                 {"key": "goals.g1.timeframe", "quote": "1 October", "body": "Whose date?"})
    assert added.status_code == 201
    answer = added.get_json()
    assert '<mark class="anchor" data-comments="1">1 October' in answer["plan_html"]
    assert "Goal 1, time frame:" in answer["comments_html"] and "Whose date?" in answer["comments_html"]
    assert answer["count"] == 1 and answer["message"] == "Comment added to the passage."
    deleted = send(client, f"/plans/{world.plan.id}/review/comments/{answer['id']}/delete", {})
    assert deleted.status_code == 200 and deleted.get_json()["count"] == 0
    assert "<mark" not in deleted.get_json()["plan_html"]
    banked = send(client, "/reviews/bank", {"text": "Whose words are these?"})
    assert banked.status_code == 201 and "Whose words are these?" in banked.get_json()["html"]
    assert send(client, "/reviews/bank", {"text": " "}).get_json()["error"] == "A saved comment needs some text."


def test_a_review_that_cannot_be_saved_comes_back_with_what_was_typed_and_why(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    page = post(client, f"/plans/{world.plan.id}/review", {"level-voice": "brilliant", "overall": "Not lost."})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and ">Not lost.</textarea>" in html and "data-unsaved" in html
    assert 'class="save-status is-error"' in html and "Unknown level for voice." in html
