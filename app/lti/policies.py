"""Who may do what with LTI: administrators register platforms; the staff of a course's cohort choose which
assignment a link in the LMS opens; only those who may set assignments (course leaders) make new ones."""
from __future__ import annotations

from app.cohorts.models import Role
from app.cohorts.policies import can_manage_cohort, is_admin, role_in


def can_manage_platforms(user) -> bool:
    return is_admin(user)


def can_link_assignments(user, cohort) -> bool:
    return is_admin(user) or role_in(user, cohort) in (Role.instructor, Role.leader)


def can_create_assignments(user, cohort) -> bool:
    return can_manage_cohort(user, cohort)
