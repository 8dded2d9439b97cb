"""Two tabs or windows writing the same review: a save sent from a page older than the review's last save is
refused with 409 and the newer review, as JSON to the page's script and as a page that keeps what was typed."""
from __future__ import annotations

import re

from tests.conftest import post
from tests.test_review_autosave import reviewer_of_a_submitted_plan, send, the_review


def test_an_autosave_over_a_newer_save_is_refused_with_the_newer_review(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    url = f"/plans/{world.plan.id}/review/draft"
    page = client.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    assert 'name="save_token" id="review-save-token" value="0"' in page

    # tab A saves twice, each time over the token it was given
    first = send(client, url, {"save_token": 0, "level-voice": "solid", "overall": "From tab A."})
    assert first.status_code == 200 and first.get_json()["save_token"] == 1
    second = send(client, url, {"save_token": 1, "level-voice": "solid", "comment-voice": "Her words.",
                                "overall": "From tab A, again."})
    assert second.status_code == 200 and second.get_json()["save_token"] == 2

    # tab B, opened before either save, is told and given the newer review; nothing of A's is overwritten
    stale = send(client, url, {"save_token": 0, "level-voice": "emerging", "overall": "From tab B."})
    assert stale.status_code == 409
    answer = stale.get_json()
    assert answer["conflict"] is True and "another tab or window" in answer["error"]
    newer = answer["review"]
    assert newer["save_token"] == 2 and newer["overall"] == "From tab A, again."
    assert newer["level-voice"] == "solid" and newer["comment-voice"] == "Her words."
    assert re.fullmatch(r"Saved \d\d:\d\d", newer["saved_label"])
    review = the_review(world)
    assert review.overall == "From tab A, again." and review.save_token == 2

    # "keep mine": B saves over the newer token it was given
    kept = send(client, url, {"save_token": 2, "level-voice": "emerging", "overall": "From tab B."})
    assert kept.status_code == 200 and kept.get_json()["save_token"] == 3
    assert the_review(world).overall == "From tab B."
    # a token that is not a number is refused and changes nothing
    assert send(client, url, {"save_token": "3", "overall": "?"}).status_code == 400
    assert the_review(world).overall == "From tab B."


def test_a_form_post_over_a_newer_save_answers_409_with_a_page_that_keeps_what_was_typed(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    url = f"/plans/{world.plan.id}/review"
    assert post(client, url, {"save_token": "0", "level-voice": "solid", "comment-voice": "Newer words.",
                              "overall": "The newer message."}).status_code == 302
    stale = post(client, url, {"save_token": "0", "level-voice": "emerging", "comment-voice": "My words.",
                               "overall": "My message.", "key": "what_matters", "quote": "home",
                               "body": "A passage comment typed too", "then": "release"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "This review was saved in another tab or window" in html
    # what was typed is in the form; the newer text is shown beside it
    assert ">My message.</textarea>" in html and ">My words.</textarea>" in html
    assert 'value="emerging" checked' in html and ">A passage comment typed too</textarea>" in html
    assert "The newer message." in html and "Newer words." in html
    assert 'name="save_token" id="review-save-token" value="1"' in html  # "keep mine" saves over the newer one
    review = the_review(world)
    assert review.overall == "The newer message." and review.comments == []

    # "load the newer version": the newer text in the form, what was typed shown beside it to copy from
    loaded = post(client, url, {"save_token": "1", "level-voice": "emerging", "comment-voice": "My words.",
                                "overall": "My message.", "then": "load_newer"})
    html = loaded.get_data(as_text=True)
    assert loaded.status_code == 200
    assert ">The newer message.</textarea>" in html and 'value="solid" checked' in html
    assert re.search(r'<textarea id="kept-\d+" rows="2" readonly>My message.</textarea>', html)
    assert the_review(world).overall == "The newer message."

    # "keep mine and save it over": the same form, now with the newer token
    assert post(client, url, {"save_token": "1", "level-voice": "emerging", "overall": "My message."}).status_code == 302
    assert the_review(world).overall == "My message."


def test_adding_a_comment_answers_when_the_review_was_saved(make_client, app):
    world, client = reviewer_of_a_submitted_plan(make_client)
    added = send(client, f"/plans/{world.plan.id}/review/comments",
                 {"key": "what_matters", "quote": "home", "body": "Whose word?"})
    assert added.status_code == 201 and re.fullmatch(r"Saved \d\d:\d\d", added.get_json()["saved_label"])
    # a comment does not count as a save of the texts: the page's next autosave still goes through
    assert send(client, f"/plans/{world.plan.id}/review/draft", {"save_token": 0, "overall": "Hi"}).status_code == 200
