"""Who may do what in a cohort. Views and templates ask the same functions, so a button and its route agree."""
from __future__ import annotations

from app.cohorts.models import Cohort, Membership, Role
from app.db import db


def membership(user, cohort: Cohort | int | None) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False) or cohort is None:
        return None
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    cache = _cache(user)
    if cohort_id not in cache:
        cache[cohort_id] = db.session.scalar(
            db.select(Membership).where(Membership.user_id == user.id, Membership.cohort_id == cohort_id)
        )
    return cache[cohort_id]


def _cache(user) -> dict:
    # Per request: the user object is loaded once per request by the login manager.
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = {}
        try:
            user._membership_cache = cache
        except AttributeError:
            pass
    return cache


def forget_memberships(user) -> None:
    if getattr(user, "_membership_cache", None) is not None:
        user._membership_cache = {}


def role_in(user, cohort) -> Role | None:
    found = membership(user, cohort)
    return found.role if found else None


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_view_cohort(user, cohort: Cohort) -> bool:
    return is_admin(user) or membership(user, cohort) is not None


def can_manage_cohort(user, cohort: Cohort) -> bool:
    """Course leaders of the cohort and administrators run membership and join codes."""
    return is_admin(user) or role_in(user, cohort) == Role.leader


def can_see_members(user, cohort: Cohort) -> bool:
    return can_manage_cohort(user, cohort)


def can_create_cohorts(user) -> bool:
    return is_admin(user)


def is_student(user, cohort) -> bool:
    return role_in(user, cohort) == Role.student


def is_instructor(user, cohort) -> bool:
    return role_in(user, cohort) == Role.instructor


def is_leader(user, cohort) -> bool:
    return role_in(user, cohort) == Role.leader


def teaches_anywhere(user) -> bool:
    """Instructor or course leader in at least one cohort (asked once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cache = _cache(user)
    if "teaches_anywhere" not in cache:
        cache["teaches_anywhere"] = db.session.scalar(
            db.select(Membership.id).where(Membership.user_id == user.id,
                                           Membership.role.in_([Role.instructor, Role.leader])).limit(1)) is not None
    return cache["teaches_anywhere"]
