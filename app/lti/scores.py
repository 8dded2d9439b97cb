"""Scores back to the LMS (LTI Assignment and Grade Services).

When a plan whose assignment is linked from an LMS course is submitted, gets feedback released or is completed, a
score is written for its student in the same transaction (`LtiScoreDelivery`) and sent once that commits: a rolled
back change sends nothing. A failed send is tried again with growing pauses (1, 2, 4 … minutes, at most 6 hours,
then every 6 hours until it is accepted); nothing is dropped, and a course leader sees what has not gone yet.

What is sent: activity progress (Submitted when submitted or when feedback is released, Completed when the plan is
completed) and grading progress (Pending when submitted, FullyGraded when the feedback is released). When the
platform is set to send scores, also a score from the rubric: each criterion counts the index of the level the
reviewer gave it (the lowest level 0, the next 1, …; a criterion without a level 0), summed over the criteria; the
maximum is (number of levels - 1) × number of criteria.

Only the newest score for a student and link matters (the LMS keeps the latest by its timestamp), so a newer one
replaces any older one still waiting ("superseded")."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from sqlalchemy import select

from app.db import db, rowcount, utcnow
from app.jobs import after_commit, task
from app.lti.connector import LINEITEM_SCOPE, SCORE_SCOPE, Connector, describe_failure
from app.lti.models import LtiContext, LtiPlatform, LtiResourceLink, LtiScoreDelivery
from app.oidc.models import Identity

PENDING, SENT, FAILED, SUPERSEDED = "pending", "sent", "failed", "superseded"
WAITING = (PENDING, FAILED)
LONGEST_PAUSE = timedelta(hours=6)
# While one worker sends a score, no other takes it; a worker that dies mid-send leaves it for the next round.
CLAIM = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failure: 1, 2, 4 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 16)), LONGEST_PAUSE)


def rubric_score(rubric_version, review) -> tuple[float, float]:
    """(given, maximum): the sum over criteria of the index of the level given (lowest 0)."""
    levels = rubric_version.level_keys()
    criteria = rubric_version.criterion_keys()
    given = 0
    for criterion in criteria:
        score = review.score_for(criterion) if review is not None else None
        if score is not None and score.level_key in levels:
            given += levels.index(score.level_key)
    return float(given), float(max(len(levels) - 1, 0) * len(criteria))


def _links_for(plan) -> list[tuple[LtiResourceLink, LtiContext, LtiPlatform, str]]:
    """The resource links that report this plan, each with the student's subject in that LMS."""
    rows = db.session.execute(
        select(LtiResourceLink, LtiContext, LtiPlatform, Identity.subject)
        .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
        .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .join(Identity, (Identity.issuer == LtiPlatform.issuer) & (Identity.user_id == plan.student_id))
        .where(LtiResourceLink.assignment_id == plan.assignment_id,
               LtiContext.cohort_id == plan.assignment.cohort_id, LtiPlatform.active,
               (LtiResourceLink.lineitem_url.is_not(None)) | (LtiContext.lineitems_url.is_not(None)))
        .order_by(LtiResourceLink.id))
    return [(link, context, platform, subject) for link, context, platform, subject in rows]


def queue_score(plan, *, activity: str, grading: str, review=None) -> list[LtiScoreDelivery]:
    """Write the score for each link reporting this plan and send it after the commit. Flushes."""
    deliveries = []
    now = utcnow()
    for link, _context, platform, subject in _links_for(plan):
        payload: dict[str, Any] = {"userId": subject, "activityProgress": activity, "gradingProgress": grading,
                                   "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
        if platform.send_scores and review is not None:
            given, maximum = rubric_score(plan.rubric_version, review)
            if maximum > 0:
                payload.update(scoreGiven=given, scoreMaximum=maximum)
        db.session.execute(db.update(LtiScoreDelivery).where(
            LtiScoreDelivery.resource_link_id == link.id, LtiScoreDelivery.user_id == plan.student_id,
            LtiScoreDelivery.status.in_(WAITING)).values(status=SUPERSEDED)
            .execution_options(synchronize_session=False))
        delivery = LtiScoreDelivery(resource_link_id=link.id, user_id=plan.student_id, plan_id=plan.id,
                                    payload=payload, status=PENDING, attempts=0, next_attempt_at=now)
        db.session.add(delivery)
        db.session.flush()
        after_commit(deliver_score, delivery.id)
        deliveries.append(delivery)
    return deliveries


def _grade(payload: dict[str, Any]) -> Grade:
    grade = Grade().set_user_id(payload["userId"]).set_activity_progress(payload["activityProgress"])
    grade.set_grading_progress(payload["gradingProgress"]).set_timestamp(payload["timestamp"])
    if payload.get("scoreMaximum") is not None:
        grade.set_score_given(payload["scoreGiven"]).set_score_maximum(payload["scoreMaximum"])
    return grade


def _ensure_lineitem(link: LtiResourceLink, connector: Connector, delivery: LtiScoreDelivery) -> str:
    """The link's line item; made in the course's gradebook first when the platform gave none with the link."""
    if link.lineitem_url:
        return link.lineitem_url
    context = link.context
    maximum = delivery.payload.get("scoreMaximum")
    if maximum is None and link.assignment is not None:
        maximum = rubric_score(link.assignment.rubric_version, None)[1]
    lineitem = LineItem().set_label((link.assignment.title if link.assignment else link.title) or "Care plan")
    lineitem.set_score_maximum(maximum or 1).set_resource_link_id(link.resource_link_id)
    service = AssignmentsGradesService(connector, {"scope": [LINEITEM_SCOPE],  # type: ignore[list-item]
                                                   "lineitems": context.lineitems_url})
    made_url = service.create_lineitem(lineitem).get_id()
    if not made_url:
        raise ValueError("The platform made the line item but did not say where it is")
    link.lineitem_url = made_url
    db.session.commit()  # made once: the next attempt must not make a second column
    return made_url


@task(name="lti.deliver_score")
def deliver_score(delivery_id: int, connectors: dict[int, Connector] | None = None) -> str:
    """Send one score that is due; on failure count the attempt, keep the reason and set the next try."""
    now = utcnow()
    claimed = rowcount(db.session.execute(
        db.update(LtiScoreDelivery).where(LtiScoreDelivery.id == delivery_id, LtiScoreDelivery.status.in_(WAITING),
                                          LtiScoreDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM).execution_options(synchronize_session=False)))
    db.session.commit()
    if claimed != 1:
        return "not due"  # sent, superseded, not due yet, or being sent by another worker
    delivery = db.session.get_one(LtiScoreDelivery, delivery_id)
    link = delivery.resource_link
    platform = link.context.platform
    try:
        connector = (connectors or {}).get(platform.id) or Connector(platform)
        if connectors is not None:
            connectors[platform.id] = connector
        lineitem_url = _ensure_lineitem(link, connector, delivery)
        service = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE],  # type: ignore[list-item]
                                                       "lineitem": lineitem_url})
        service.put_grade(_grade(delivery.payload))
    except Exception as exc:  # whatever the platform or the network did, the score waits for the next try
        db.session.rollback()
        delivery = db.session.get_one(LtiScoreDelivery, delivery_id)
        delivery.attempts += 1
        delivery.status = FAILED
        delivery.last_error = describe_failure(exc)
        delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
        db.session.commit()
        current_app.logger.warning("Score %s not accepted (attempt %s): %s", delivery_id, delivery.attempts,
                                   delivery.last_error)
        return FAILED
    delivery.attempts += 1
    delivery.status = SENT
    delivery.sent_at = utcnow()
    delivery.last_error = ""
    db.session.commit()
    return SENT


@task(name="lti.deliver_due_scores")
def deliver_due_scores(limit: int = 200) -> dict[str, int]:
    """Every 5 minutes: send the scores whose next try is due, oldest first."""
    ids = list(db.session.scalars(select(LtiScoreDelivery.id).where(
        LtiScoreDelivery.status.in_(WAITING), LtiScoreDelivery.next_attempt_at <= utcnow())
        .order_by(LtiScoreDelivery.next_attempt_at, LtiScoreDelivery.id).limit(limit)))
    outcome = {SENT: 0, FAILED: 0}
    connectors: dict[int, Connector] = {}
    for delivery_id in ids:
        result = deliver_score.run(delivery_id, connectors)
        if result in outcome:
            outcome[result] += 1
    return outcome


# --- what a course leader sees ------------------------------------------------------------------------------

def _waiting_in(cohort_id: int):
    return (select(LtiScoreDelivery).join(LtiResourceLink, LtiResourceLink.id == LtiScoreDelivery.resource_link_id)
            .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
            .where(LtiContext.cohort_id == cohort_id, LtiScoreDelivery.status.in_(WAITING)))


def waiting_summary(cohort_id: int) -> dict[str, Any]:
    """How many scores of the cohort have not reached the LMS yet, how many of them failed, and the latest
    reason."""
    waiting = list(db.session.scalars(_waiting_in(cohort_id).order_by(LtiScoreDelivery.id)))
    failed = [delivery for delivery in waiting if delivery.status == FAILED]
    latest = max(failed, key=lambda delivery: (delivery.next_attempt_at, delivery.id)) if failed else None
    return {"waiting": len(waiting), "failed": len(failed), "last_error": latest.last_error if latest else "",
            "next_attempt_at": min((d.next_attempt_at for d in failed), default=None)}


def retry_now(cohort_id: int, limit: int = 200) -> int:
    """The cohort's waiting scores are sent again once the caller commits. Returns how many."""
    waiting = list(db.session.scalars(_waiting_in(cohort_id).order_by(LtiScoreDelivery.id).limit(limit)))
    now = utcnow()
    for delivery in waiting:
        delivery.next_attempt_at = now
        after_commit(deliver_score, delivery.id)
    db.session.flush()
    return len(waiting)
