"""Scores go back to the LMS course's gradebook: written with the change that causes them, sent after it commits,
tried again with growing pauses until accepted, and shown to the course leader while they wait."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import responses
from sqlalchemy import select

from app.db import db, utcnow
from app.lti import scores
from app.lti.models import LtiResourceLink, LtiScoreDelivery
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import login, post
from tests.lti_helpers import (
    LINEITEM_URL,
    LINEITEMS_URL,
    TOKEN_URL,
    known_in_lms,
    lms_course,
    posted_json,
    resource_link,
    token_endpoint,
)
from tests.plan_helpers import World

SCORES_URL = f"{LINEITEM_URL}/scores"


def _linked_world(send_scores=True, lineitem_url=LINEITEM_URL):
    world = World()
    world.context = lms_course(world.cohort, send_scores=send_scores)
    world.link = resource_link(world.context, world.assignment, lineitem_url=lineitem_url)
    known_in_lms(world.owner, "u-olga")
    db.session.commit()
    return world


def _reviewed(world):
    """In review, with levels for two of the seven criteria: voice "solid" (2) and language "exemplary" (3)."""
    plan = world.to_state(PlanState.in_review)
    review_services.save_review(plan, world.reviewer, overall="Well argued.", scores={
        "voice": {"level": "solid", "comment": ""}, "language": {"level": "exemplary", "comment": ""}})
    db.session.commit()
    return plan


def _deliveries(world):
    db.session.expire_all()
    return list(db.session.scalars(select(LtiScoreDelivery).where(LtiScoreDelivery.user_id == world.owner.id)
                                   .order_by(LtiScoreDelivery.id)))


def _score_calls(mock):
    return [call for call in mock.calls if call.request.url == SCORES_URL]


def test_the_score_is_posted_when_feedback_is_released(app):
    world = _linked_world()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=200, json={})
        plan = _reviewed(world)
        submitted = posted_json(_score_calls(mock)[-1])
        assert submitted["activityProgress"] == "Submitted" and submitted["gradingProgress"] == "Pending"
        assert "scoreGiven" not in submitted
        review_services.release(plan, world.reviewer)
        db.session.commit()
        call = _score_calls(mock)[-1]
        token_call = [c for c in mock.calls if c.request.url == TOKEN_URL][-1]
    assert call.request.headers["Authorization"] == "Bearer service-token-1"
    assert call.request.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert "scope=https%3A%2F%2Fpurl.imsglobal.org%2Fspec%2Flti-ags%2Fscope%2Fscore" in token_call.request.body
    body = posted_json(call)
    assert body["userId"] == "u-olga"
    assert body["activityProgress"] == "Submitted" and body["gradingProgress"] == "FullyGraded"
    assert body["scoreGiven"] == 5 and body["scoreMaximum"] == 21  # levels 2 + 3 of at most 3 × 7 criteria
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["timestamp"])
    assert [d.status for d in _deliveries(world)] == ["sent", "sent"]


def test_completing_the_plan_reports_it_completed(app):
    world = _linked_world()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=200, json={})
        plan = _reviewed(world)
        review_services.complete(plan, world.reviewer)
        db.session.commit()
        body = posted_json(_score_calls(mock)[-1])
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"


def test_without_send_scores_only_the_progress_is_sent(app):
    world = _linked_world(send_scores=False)
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=200, json={})
        plan = _reviewed(world)
        review_services.release(plan, world.reviewer)
        db.session.commit()
        body = posted_json(_score_calls(mock)[-1])
    assert body["gradingProgress"] == "FullyGraded"
    assert "scoreGiven" not in body and "scoreMaximum" not in body


def test_nothing_is_written_or_sent_when_the_release_is_rolled_back(app):
    world = _linked_world()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=200, json={})
        plan = _reviewed(world)
        before = len(mock.calls)
        review_services.release(plan, world.reviewer)
        db.session.rollback()
        assert len(mock.calls) == before
    assert [d.payload["gradingProgress"] for d in _deliveries(world)] == ["Pending"]


def test_a_student_the_lms_does_not_know_gets_no_score(app):
    world = World()
    world.context = lms_course(world.cohort, send_scores=True)
    resource_link(world.context, world.assignment)
    db.session.commit()
    with responses.RequestsMock():  # any request would fail the test
        _reviewed(world)
    assert _deliveries(world) == []


def test_a_refused_score_is_retried_with_backoff_shown_to_the_leader_and_then_accepted(app, make_client):
    world = _linked_world()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=503, body="Gradebook is read-only during maintenance")
        plan = _reviewed(world)
        review_services.release(plan, world.reviewer)
        db.session.commit()
    waiting = _deliveries(world)
    assert [d.status for d in waiting] == ["superseded", "failed"]  # the newer score replaces the older one
    failed = waiting[-1]
    assert failed.attempts == 1 and "503" in failed.last_error and "read-only" in failed.last_error
    assert timedelta(seconds=50) < failed.next_attempt_at - utcnow() <= timedelta(minutes=1)

    # Neither the periodic task nor a second worker sends it before it is due; when due and refused again, the
    # pause doubles.
    with responses.RequestsMock() as mock:
        assert scores.deliver_due_scores() == {"sent": 0, "failed": 0}
        assert scores.deliver_score(failed.id) == "not due"
    failed.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=500, body="still down")
        assert scores.deliver_due_scores() == {"sent": 0, "failed": 1}
    failed = _deliveries(world)[-1]
    assert failed.attempts == 2 and "still down" in failed.last_error
    assert timedelta(minutes=1, seconds=50) < failed.next_attempt_at - utcnow() <= timedelta(minutes=2)

    client = make_client()
    login(client, world.leader.email)
    page = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "1 score(s) have not reached the LMS yet; 1 of them failed." in page
    assert "still down" in page and "Try again now" in page

    assert client.post(f"/cohorts/{world.cohort.id}/lms/scores/retry").status_code == 400  # no CSRF token
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, SCORES_URL, status=200, json={})
        response = post(client, f"/cohorts/{world.cohort.id}/lms/scores/retry", follow_redirects=True)
        assert posted_json(_score_calls(mock)[-1])["gradingProgress"] == "FullyGraded"
    assert "Every score has reached the LMS." in response.get_data(as_text=True)
    sent = _deliveries(world)[-1]
    assert sent.status == "sent" and sent.attempts == 3 and sent.sent_at is not None and sent.last_error == ""


@pytest.mark.parametrize("attempts, minutes", [(1, 1), (2, 2), (3, 4), (9, 256), (10, 360), (40, 360)])
def test_the_pause_doubles_up_to_six_hours(attempts, minutes):
    assert scores.backoff(attempts) == timedelta(minutes=minutes)


def test_a_line_item_is_made_before_the_first_score_when_the_link_has_none(app):
    world = _linked_world(lineitem_url=None)
    made = f"{LINEITEMS_URL}/99"
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.POST, LINEITEMS_URL, status=201,
                 json={"id": made, "label": world.assignment.title, "scoreMaximum": 21, "resourceLinkId": "rl-1"})
        mock.add(responses.POST, f"{made}/scores", status=200, json={})
        world.to_state(PlanState.submitted)
        created = [c for c in mock.calls if c.request.url == LINEITEMS_URL]
        assert len(created) == 1
        lineitem = posted_json(created[0])
        assert lineitem["label"] == world.assignment.title and lineitem["scoreMaximum"] == 21
        assert lineitem["resourceLinkId"] == "rl-1"
        assert created[0].request.headers["Content-Type"] == "application/vnd.ims.lis.v2.lineitem+json"
        assert len([c for c in mock.calls if c.request.url == f"{made}/scores"]) == 1
    db.session.expire_all()
    assert db.session.get(LtiResourceLink, world.link.id).lineitem_url == made
