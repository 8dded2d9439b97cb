"""Who may see reviews and feedback."""
from __future__ import annotations

from flask import abort

from app.cohorts.models import Role
from app.cohorts.policies import role_in
from app.plans.policies import require_view
from app.plans.workflow import is_owner, is_reviewer


def can_review(user, plan) -> bool:
    return is_reviewer(plan, user)


def can_see_review_page(user, plan) -> bool:
    """The reviewer, and course leaders of the cohort (who may also complete the plan)."""
    return is_reviewer(plan, user) or role_in(user, plan.assignment.cohort_id) == Role.leader


def require_review_page(user, plan) -> None:
    require_view(user, plan)
    if not can_see_review_page(user, plan):
        abort(403)


def can_see_feedback(user, plan) -> bool:
    return is_owner(plan, user) or can_see_review_page(user, plan)


def can_allocate(user, cohort) -> bool:
    return role_in(user, cohort) == Role.leader


def is_instructor_of(user, cohort_id) -> bool:
    return role_in(user, cohort_id) == Role.instructor
