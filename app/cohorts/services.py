"""Cohorts and memberships: create, join, appoint, change roles. Services flush; the caller commits."""
from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from app.assignments.models import Assignment
from app.audit.services import record
from app.auth.models import User, normalise_email, user_by_email
from app.auth.services import (
    check_no_password,
    create_user,
    require_good_password,
    send_account_exists,
    send_invitation,
    send_welcome,
)
from app.cohorts.models import Cohort, Membership, Role, new_join_code
from app.cohorts.policies import forget_memberships
from app.db import db
from app.errors import NotFound, ValidationError
from app.plans.models import Plan
from app.plans.states import OPEN_FOR_REVIEW

ROLE_LABELS = {
    Role.student: _l("student"),
    Role.instructor: _l("instructor"),
    Role.leader: _l("course leader"),
}


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])


def create_cohort(name: str, description: str = "", *, actor: User | None = None) -> Cohort:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the cohort a name."))
    taken = ValidationError(_("A cohort with this name already exists."))
    if db.session.scalar(db.select(Cohort.id).where(Cohort.name == name)) is not None:
        raise taken
    cohort = Cohort(name=name, description=(description or "").strip())
    try:
        with db.session.begin_nested():
            db.session.add(cohort)
    except IntegrityError:  # another request created it (or took its join code) in the meantime
        if db.session.scalar(db.select(Cohort.id).where(Cohort.name == name)) is not None:
            raise taken from None
        raise
    record("cohort.created", actor=actor, cohort=cohort, subject=cohort, name=name)
    return cohort


def cohort_by_join_code(code: str) -> Cohort | None:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        return None
    return db.session.scalar(db.select(Cohort).where(Cohort.join_code == code, Cohort.joining_open.is_(True)))


def add_member(cohort: Cohort, user: User, role: Role, *, actor: User | None = None) -> Membership:
    """The person's membership of the cohort, added with `role` unless they already have one (safe when the same
    person joins from several tabs at once: one membership, one audit entry, no error)."""
    existing = _membership(cohort, user)
    if existing is not None:
        return existing
    member = Membership(cohort_id=cohort.id, user_id=user.id, role=role)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError:  # the other request added it first
        made = _membership(cohort, user)
        if made is None:
            raise
        return made
    forget_memberships(user)
    record("membership.added", actor=actor or user, cohort=cohort, subject=member,
           user_id=user.id, role=role.value)
    return member


def _membership(cohort: Cohort, user: User) -> Membership | None:
    return db.session.scalar(
        db.select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user.id)
    )


def join_with_code(user: User, code: str) -> Membership:
    cohort = cohort_by_join_code(code)
    if cohort is None:
        raise ValidationError(_("This join code is not valid. Check it with your course leader."))
    return add_member(cohort, user, Role.student, actor=user)


def register_with_code(code: str, name: str, email: str, password: str, locale: str | None = None) -> User | None:
    """A new account, a student of the code's cohort, with a welcome e-mail; or, when the address already has an
    account, an e-mail to its owner saying how to join instead (None). The caller answers the same either way."""
    cohort = cohort_by_join_code(code)
    if cohort is None:
        raise ValidationError(_("This join code is not valid. Check it with your course leader."))
    require_good_password(password, email=email, name=name)
    existing = user_by_email(email)
    if existing is not None:
        check_no_password(password)  # as long as hashing the new account's password
        send_account_exists(existing, cohort.name, cohort.join_code)
        return None
    user = create_user(email, name, password, locale=locale)
    add_member(cohort, user, Role.student, actor=user)
    send_welcome(user, cohort.name)
    return user


def regenerate_join_code(cohort: Cohort, *, actor: User) -> str:
    cohort.join_code = new_join_code()
    record("cohort.join_code_regenerated", actor=actor, cohort=cohort, subject=cohort)
    db.session.flush()
    return cohort.join_code


def change_role(member: Membership, new_role: Role, *, actor: User) -> Membership:
    new_role = Role(new_role)
    if member.role == new_role:
        return member
    if member.role == Role.leader and new_role != Role.leader:
        leaders = db.session.scalar(
            db.select(db.func.count(Membership.id)).where(
                Membership.cohort_id == member.cohort_id, Membership.role == Role.leader
            )
        )
        if leaders <= 1:
            raise ValidationError(_("A cohort needs at least one course leader. Appoint another one first."))
    old = member.role
    member.role = new_role
    member.source_group = None  # a role given by hand: no longer the course group's to take away
    forget_memberships(member.user)
    change: dict[str, Any] = {"from": old.value, "to": new_role.value}  # "from" is a keyword, so given as a dict
    record("membership.role_changed", actor=actor, cohort=member.cohort, subject=member,
           user_id=member.user_id, **change)
    db.session.flush()
    return member


STUDENT_NUMBER_LENGTH = 32


def set_student_number(member: Membership, number: str | None, *, actor: User) -> Membership:
    """Record the school's number of a member (empty: not known). The log says that it changed, not the number."""
    number = " ".join((number or "").split()) or None
    if number is not None and len(number) > STUDENT_NUMBER_LENGTH:
        raise ValidationError(_("A student number has at most %(n)d characters.", n=STUDENT_NUMBER_LENGTH))
    if number == member.student_number:
        return member
    member.student_number = number
    record("membership.student_number_changed", actor=actor, cohort=member.cohort, subject=member,
           user_id=member.user_id)
    db.session.flush()
    return member


def appoint(cohort: Cohort, email: str, name: str, role: Role, *, actor: User) -> tuple[Membership, bool]:
    """Give someone a role in the cohort, creating and inviting the account when it does not exist yet.

    Returns the membership and whether a new account was created."""
    email = normalise_email(email)
    user = user_by_email(email)
    created = False
    if user is None:
        if not (name or "").strip():
            raise ValidationError(_("There is no account with this e-mail yet; give the person's name too."))
        user = create_user(email, name, None, actor=actor)
        created = True
    member = db.session.scalar(
        db.select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user.id)
    )
    if member is None:
        member = add_member(cohort, user, role, actor=actor)
    else:
        change_role(member, role, actor=actor)
    if created:
        send_invitation(user, cohort.name, role_label(role))
    return member, created


def get_member(cohort: Cohort, member_id: int) -> Membership:
    member = db.session.get(Membership, member_id)
    if member is None or member.cohort_id != cohort.id:
        raise NotFound()
    return member


def cohorts_of(user: User) -> list[tuple[Cohort, Role]]:
    rows = db.session.execute(_cohorts_of_query(), {"user_id": user.id}).all()
    return [(cohort, role) for cohort, role in rows]


@functools.cache
def _cohorts_of_query():
    """Built once (the home page asks on every visit); each request only binds the user."""
    return (db.select(Cohort, Membership.role).join(Membership, Membership.cohort_id == Cohort.id)
            .where(Membership.user_id == bindparam("user_id")).order_by(Cohort.name))


def all_cohorts() -> list[Cohort]:
    return list(db.session.scalars(db.select(Cohort).order_by(Cohort.name)))


def members_of(cohort: Cohort) -> list[Membership]:
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.cohort_id == cohort.id)
            .options(db.joinedload(Membership.user))
            .order_by(Membership.role, User.name)
        )
    )


def leaders_of(cohort_id: int) -> list[User]:
    """The cohort's course leaders."""
    return list(db.session.scalars(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.leader).order_by(User.id)))


def removal_consequences(member: Membership) -> dict:
    """What stays behind when this member leaves: their plans in the cohort and the reviews still open."""
    in_cohort = db.select(Assignment.id).where(Assignment.cohort_id == member.cohort_id)
    plans = db.session.scalar(db.select(db.func.count(Plan.id)).where(
        Plan.student_id == member.user_id, Plan.assignment_id.in_(in_cohort)))
    open_reviews = db.session.scalar(db.select(db.func.count(Plan.id)).where(
        Plan.reviewer_id == member.user_id, Plan.assignment_id.in_(in_cohort),
        Plan.state.in_(sorted(OPEN_FOR_REVIEW))))
    return {"plans": plans, "open_reviews": open_reviews}


def remove_member(member: Membership, *, actor: User) -> None:
    """End someone's membership. Only the membership goes: their account, plans, versions and reviews stay."""
    if member.role == Role.leader:
        leaders = db.session.scalar(
            db.select(db.func.count(Membership.id)).where(
                Membership.cohort_id == member.cohort_id, Membership.role == Role.leader
            )
        )
        if leaders <= 1:
            raise ValidationError(_("A cohort needs at least one course leader. Appoint another one first."))
    user = member.user
    record("membership.removed", actor=actor, cohort=member.cohort, subject=member,
           user_id=member.user_id, role=member.role.value)
    db.session.delete(member)
    db.session.flush()
    forget_memberships(user)
