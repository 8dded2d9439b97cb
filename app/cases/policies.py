"""Who may read which case material. Views and templates ask the same functions."""
from __future__ import annotations

from app.cohorts import policies as cohort_policies
from app.cohorts.models import Membership, Role
from app.db import db

TEACHING_ROLES = (Role.instructor, Role.leader)
_LIBRARY_KEY = "case-library"  # cached beside the memberships, so forgetting them forgets this too


def can_browse_library(user) -> bool:
    """Administrators, and anyone who teaches or leads in some cohort, browse every case and rubric."""
    if cohort_policies.is_admin(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cache = cohort_policies._cache(user)
    if _LIBRARY_KEY not in cache:
        cache[_LIBRARY_KEY] = db.session.scalar(
            db.select(Membership.id).where(Membership.user_id == user.id, Membership.role.in_(TEACHING_ROLES)).limit(1)
        ) is not None
    return cache[_LIBRARY_KEY]


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
