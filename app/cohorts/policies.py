"""Who may do what in a cohort. Views and templates ask the same functions, so a button and its route agree."""
from __future__ import annotations

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable

from app.cohorts.models import Cohort, Membership, Role
from app.db import db


def membership(user, cohort: Cohort | int | None) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False) or cohort is None:
        return None
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    return _memberships(user).get(cohort_id)


def _memberships(user) -> dict[int, Membership]:
    """Every membership of the user by cohort. A page asks about roles several times (menus, the object, its
    buttons): they come with the account when a request signs in, or are read in one query the first time."""
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        if _loaded_with_account(user):
            rows = user.memberships
        else:
            rows = db.session.scalars(db.select(Membership).where(Membership.user_id == user.id))
        cache = {row.cohort_id: row for row in rows}
        try:
            user._membership_cache = cache
        except AttributeError:
            pass
    return cache


def _loaded_with_account(user) -> bool:
    if getattr(user, "_memberships_changed", False):
        return False
    try:
        state = sa_inspect(user._get_current_object() if hasattr(user, "_get_current_object") else user)
    except NoInspectionAvailable:
        return False
    return "memberships" not in state.unloaded


def forget_memberships(user) -> None:
    """After a membership of `user` changes: the next question reads them from the database again."""
    try:
        user._membership_cache = None
        user._memberships_changed = True
    except AttributeError:
        pass


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


def writes_plans(user) -> bool:
    """Whether "My plans" belongs in the menu: for students, and for anyone not yet in a cohort as staff (their
    page says how to join one); not for those who only teach."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    roles = {m.role for m in _memberships(user).values()}
    return Role.student in roles or not roles & {Role.instructor, Role.leader}


def teaches_anywhere(user) -> bool:
    """Instructor or course leader in at least one cohort."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(m.role in (Role.instructor, Role.leader) for m in _memberships(user).values())
