"""Who may see and change a plan. Views and templates ask these same functions."""
from __future__ import annotations

from flask import abort

from app.cohorts.models import Role
from app.cohorts.policies import role_in
from app.plans.models import Plan
from app.plans.workflow import EDIT_DRAFT, is_owner, is_reviewer


def can_view_plan(user, plan) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_owner(plan, user):
        return True
    role = role_in(user, plan.assignment.cohort_id)
    # A reviewer reads the plan while they are an instructor of its cohort, not after being removed.
    return role == Role.leader or (role == Role.instructor and is_reviewer(plan, user))


def can_edit_plan(user, plan) -> bool:
    return EDIT_DRAFT.holds(plan, user)


def can_see_submitted_text(user, plan) -> bool:
    """Staff read the latest submitted version; the student reads their own draft."""
    return not is_owner(plan, user) and plan.latest_version is not None


def require_view(user, plan: Plan | None) -> Plan:
    """The plan, if `user` may read it; else the one refusal rule: 404 to non-members and other students, 403 to
    members without the right."""
    if plan is None:
        abort(404)
    if can_view_plan(user, plan):
        return plan
    role = role_in(user, plan.assignment.cohort_id)
    if role is None or role == Role.student:
        abort(404)
    abort(403)


def require_owner(user, plan: Plan | None) -> Plan:
    """The plan, if `user` is its student (others as `require_view`, then 403)."""
    found = require_view(user, plan)
    if not is_owner(found, user):
        abort(403)
    return found


def require_student_of(user, cohort) -> None:
    """Starting a plan: only a student of the assignment's cohort (staff get 403; non-members were refused already)."""
    if role_in(user, cohort) != Role.student:
        abort(403)
