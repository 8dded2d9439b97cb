"""Who may do what in a cohort. Views and templates ask the same functions, so a button and its route agree."""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.cohorts.models import Cohort, Membership, Role
from app.db import db
from app.signin import forget_roles, remember_roles, signed_in_as


def role_in(user, cohort: Cohort | int | None) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False) or cohort is None:
        return None
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    return roles_by_cohort(user).get(cohort_id)


def roles_by_cohort(user) -> Mapping[int, Role]:
    """The user's role in each cohort. A page asks several times (menus, the object, its buttons): for the person
    signed in, the roles came with their account at sign-in; for anyone else, and for them after a change of
    membership in this request, they are read from the database."""
    signed = signed_in_as(user)
    if signed is not None and signed.roles_by_cohort is not None:
        return signed.roles_by_cohort
    roles = MappingProxyType(dict(db.session.execute(
        db.select(Membership.cohort_id, Membership.role).where(Membership.user_id == user.id)).all()))
    if signed is not None:
        remember_roles(user, roles)
    return roles


def forget_memberships(user) -> None:
    """After a membership of `user` changes: the next question reads them from the database again."""
    forget_roles(user)


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_view_cohort(user, cohort: Cohort) -> bool:
    return is_admin(user) or role_in(user, cohort) is not None


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
    roles = set(roles_by_cohort(user).values())
    return Role.student in roles or not roles & {Role.instructor, Role.leader}


def teaches_anywhere(user) -> bool:
    """Instructor or course leader in at least one cohort."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(role in (Role.instructor, Role.leader) for role in roles_by_cohort(user).values())
