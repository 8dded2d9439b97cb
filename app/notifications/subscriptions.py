"""Who is told what, as plans and reviews move on: each notice in the app and by e-mail, in its reader's language."""
from __future__ import annotations

from app.cohorts.services import leaders_of
from app.notifications.services import notify, was_notified
from app.plans.signals import plan_submitted
from app.reviews.signals import feedback_released, reviewer_changed


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
