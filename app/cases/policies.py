"""Who may read which case material. Views and templates ask the same functions."""
from __future__ import annotations

from app.cohorts import policies as cohort_policies
from app.cohorts.models import Role

TEACHING_ROLES = (Role.instructor, Role.leader)


def can_browse_library(user) -> bool:
    """Administrators, and anyone who teaches or leads in some cohort, browse every case and rubric."""
    if cohort_policies.is_admin(user):
        return True
    return cohort_policies.teaches_anywhere(user)


def can_see_teaching_notes(user, cohort) -> bool:
    """Documents for teachers: instructors and course leaders of the cohort, and administrators."""
    return cohort_policies.is_admin(user) or cohort_policies.role_in(user, cohort) in TEACHING_ROLES


def can_read_assignment_case(user, assignment, now=None) -> bool:
    """Members read the case of their cohort's assignment; students only once it has opened.

    Non-members are refused earlier, with 404 (`require_in_cohort`)."""
    if not cohort_policies.can_view_cohort(user, assignment.cohort):
        return False
    if cohort_policies.is_student(user, assignment.cohort) and not cohort_policies.is_admin(user):
        return assignment.has_opened(now)
    return True
