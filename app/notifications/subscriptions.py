"""Who is told what, as plans and reviews move on: each notice in the app and by e-mail, in its reader's language."""
from __future__ import annotations

from datetime import timedelta

from app.cohorts.services import leaders_of
from app.db import utcnow
from app.notifications.services import notify, was_notified, was_notified_since
from app.plans.signals import plan_submitted, second_opinion_transitioned
from app.plans.states import SecondOpinionState
from app.plans.workflow import RESOLVED_BY_REVIEWER, SecondOpinionAction
from app.reviews.signals import feedback_released, feedback_replied, reviewer_changed

# A reviewer hears of a student's answers to one review at most once in this time: a student answering five
# comments in a row makes one notice, not five.
REPLY_NOTICE_QUIET = timedelta(hours=1)


@plan_submitted.connect
def tell_the_reviewer_of_a_resubmission(plan, *, version, **_details) -> None:
    """A resubmission stays with the reviewer of the previous version, who is told about it."""
    if plan.reviewer is not None:
        notify(plan.reviewer, "submitted", plan, student=plan.student.name, version=version.number)


@plan_submitted.connect
def tell_the_leaders_a_plan_waits_for_a_reviewer(plan, *, version, **_details) -> None:
    """A plan submitted without a reviewer waits for the course leaders to allocate it; each leader is told once
    per plan (not again when it is withdrawn and submitted anew)."""
    if plan.reviewer_id is not None:
        return
    for leader in leaders_of(plan.assignment.cohort_id):
        if leader.id != plan.student_id and not was_notified(leader, "waiting", plan):
            notify(leader, "waiting", plan, student=plan.student.name, assignment=plan.assignment.title)


@reviewer_changed.connect
def tell_the_reviewers(plan, *, reviewer, previous, **_details) -> None:
    params = {"student": plan.student.name, "version": plan.latest_version.number}
    notify(reviewer, "reassigned", plan, **params)
    if previous is not None:
        notify(previous, "unassigned", plan, **params)


@feedback_released.connect
def tell_the_student(plan, *, version, completed, **_details) -> None:
    notify(plan.student, "completed" if completed else "released", plan, version=version.number)


def _deciders(plan) -> list:
    if plan.assignment.second_opinion_resolver == RESOLVED_BY_REVIEWER:
        return [plan.reviewer] if plan.reviewer is not None else []
    return [leader for leader in leaders_of(plan.assignment.cohort_id) if leader.id != plan.student_id]


@second_opinion_transitioned.connect
def tell_about_the_second_opinion(plan, *, opinion, action, actor, source, **_details) -> None:
    """The second instructor is told they are asked (and when it is no longer needed); the person who asked and
    whoever decides are told when it is in; the second instructor, the first reviewer and the person who asked are
    told when it is decided. Nobody is told of their own step."""
    params = {"student": plan.student.name, "version": opinion.version.number}
    if action == SecondOpinionAction.request and opinion.rater is not None:
        notify(opinion.rater, "second_opinion_asked", plan, requester=actor.name, **params)
    elif action == SecondOpinionAction.submit:
        told = set()
        for person in [opinion.requested_by, *_deciders(plan)]:
            if person is not None and person.id not in told and person.id != actor.id:
                told.add(person.id)
                notify(person, "second_opinion_in", plan, **params)
    elif action == SecondOpinionAction.resolve:
        told = {actor.id}
        if opinion.rater is not None and opinion.rater_id not in told:
            told.add(opinion.rater_id)
            notify(opinion.rater, "second_opinion_decided", plan, as_rater=True, **params)
        for person in (opinion.first_rater, opinion.requested_by):
            if person is not None and person.id not in told:
                told.add(person.id)
                notify(person, "second_opinion_decided", plan, **params)
    elif (action == SecondOpinionAction.cancel and source == SecondOpinionState.requested
          and opinion.rater is not None and opinion.rater_id != actor.id):
        notify(opinion.rater, "second_opinion_cancelled", plan, **params)


@feedback_replied.connect
def tell_the_reviewer_a_student_answered(plan, *, review, **_details) -> None:
    """The reviewer of the answered feedback is told, once per review in `REPLY_NOTICE_QUIET`: the notice links to
    the version, where every reply since is shown."""
    reviewer = review.reviewer
    if reviewer is None or reviewer.id == plan.student_id:
        return
    if was_notified_since(reviewer, "student_replied", plan, utcnow() - REPLY_NOTICE_QUIET, review_id=review.id):
        return
    notify(reviewer, "student_replied", plan, student=plan.student.name, version=review.version.number,
           review_id=review.id)
