"""An LMS course's members -> its cohort (LTI Names and Role Provisioning Services).

The course's member list is read page by page; each member's LMS role gives a cohort role (Learner -> student,
Instructor or TeachingAssistant -> the platform's staff role, Administrator -> course leader; the highest wins).
People are found by the LMS's issuer and their subject there (the same `Identity` as a sign-in with Feide), then by
e-mail address. A course leader sees what would change, then applies it; each night every linked course is synced
the same way. Only memberships that came from the course (`source_group` "lti:<context id>") are ever changed or
taken away: people added here by hand, a join code or an invitation are listed when the course does not know them,
and kept."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.audit.services import record
from app.auth.models import User, user_by_email
from app.auth.services import create_user
from app.cohorts.models import Membership, Role
from app.cohorts.services import add_member, change_role, remove_member
from app.db import db, utcnow
from app.errors import ValidationError
from app.jobs import task
from app.lti.connector import NRPS_SCOPE, Connector, describe_failure
from app.lti.models import LtiContext
from app.oidc.models import Identity

RANK = {Role.student: 0, Role.instructor: 1, Role.leader: 2}
MEMBERSHIPS_ACCEPT = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200  # a course of 200 pages (Canvas: 10 000 people) is as far as a sync follows `next` links


class RosterUnavailable(Exception):
    """The course's member list could not be read: the reason is shown to the course leader."""


def source_of(context: LtiContext) -> str:
    return f"lti:{context.id}"


def role_from_lms(roles: Iterable[Any], staff_role: Role) -> Role | None:
    """The cohort role for a member's LMS roles (full URIs or short names), None for roles that give none."""
    found: Role | None = None
    for value in roles or ():
        if not isinstance(value, str):
            continue
        name = value.rsplit("#", 1)[-1] if "#" in value else value.rsplit("/", 1)[-1]
        role = {"Learner": Role.student, "Instructor": staff_role, "TeachingAssistant": staff_role,
                "Administrator": Role.leader}.get(name)
        if role is not None and (found is None or RANK[role] > RANK[found]):
            found = role
    return found


@dataclasses.dataclass
class LmsMember:
    subject: str
    name: str
    email: str | None
    role: Role


def fetch_members(context: LtiContext, connector: Connector | None = None) -> list[LmsMember]:
    """Every active member of the course with a cohort role, following the `next` links of the member list."""
    if not context.memberships_url:
        raise RosterUnavailable("The course did not give a member list (names and roles service) at launch.")
    connector = connector or Connector(context.platform)
    members: dict[str, LmsMember] = {}
    url: str | None = context.memberships_url
    pages = 0
    try:
        while url and pages < MAX_PAGES:
            page = connector.make_service_request([NRPS_SCOPE], url, accept=MEMBERSHIPS_ACCEPT)
            pages += 1
            body: Mapping[str, Any] = page["body"] if isinstance(page["body"], Mapping) else {}
            for raw in body.get("members") or []:
                member = _member(raw, context.platform.staff_role)
                if member is not None:
                    members[member.subject] = member
            url = page["next_page_url"]
    except Exception as exc:  # the platform's answer, whatever it was, is the course leader's to see
        raise RosterUnavailable(describe_failure(exc)) from exc
    return list(members.values())


def _member(raw: Any, staff_role: Role) -> LmsMember | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("user_id"), str) or not raw["user_id"]:
        return None
    if raw.get("status", "Active") != "Active":
        return None
    role = role_from_lms(raw.get("roles") or [], staff_role)
    if role is None:
        return None
    name = " ".join(str(raw.get("name") or "").split()) or " ".join(
        str(raw.get(part) or "") for part in ("given_name", "family_name")).strip()
    email = raw.get("email") if isinstance(raw.get("email"), str) and "@" in raw["email"] else None
    return LmsMember(subject=raw["user_id"][:255], name=(name or (email or "").split("@")[0])[:120],
                     email=email.strip()[:254] if email else None, role=role)


@dataclasses.dataclass
class Change:
    """One line of the preview."""

    name: str
    email: str | None
    role: Role
    subject: str | None = None
    user_id: int | None = None
    member_id: int | None = None
    old_role: Role | None = None


@dataclasses.dataclass
class RosterPreview:
    context: LtiContext
    to_add: list[Change] = dataclasses.field(default_factory=list)
    role_changes: list[Change] = dataclasses.field(default_factory=list)
    leaving: list[Change] = dataclasses.field(default_factory=list)  # from the course, gone from it: removed
    kept: list[Change] = dataclasses.field(default_factory=list)  # added here, not in the course: kept
    without_email: list[Change] = dataclasses.field(default_factory=list)  # unknown here and no address: not added
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.to_add or self.role_changes or self.leaving)

    @property
    def fingerprint(self) -> str:
        """Names what applying would do, so that what is applied is what the course leader saw."""
        lines = sorted([f"+{c.subject}:{c.role.value}" for c in self.to_add]
                       + [f"~{c.member_id}:{c.role.value}" for c in self.role_changes]
                       + [f"-{c.member_id}" for c in self.leaving])
        return hashlib.sha256(json.dumps(lines).encode()).hexdigest()[:32]


def _known_users(context: LtiContext, members: list[LmsMember]) -> dict[str, User]:
    subjects = [member.subject for member in members]
    known: dict[str, User] = {}
    for start in range(0, len(subjects), 500):
        rows = db.session.execute(select(Identity.subject, User).join(User, User.id == Identity.user_id).where(
            Identity.issuer == context.platform.issuer, Identity.subject.in_(subjects[start:start + 500])))
        known.update({subject: user for subject, user in rows})
    return known


def preview(context: LtiContext, members: list[LmsMember]) -> RosterPreview:
    """What a sync with these members would change in the context's cohort."""
    result = RosterPreview(context)
    source = source_of(context)
    current = {member.user_id: member for member in db.session.scalars(
        select(Membership).where(Membership.cohort_id == context.cohort_id))}
    known = _known_users(context, members)
    present: set[int] = set()
    for lms in sorted(members, key=lambda m: (m.name.lower(), m.subject)):
        user = known.get(lms.subject) or (user_by_email(lms.email) if lms.email else None)
        if user is None:
            if lms.email:
                result.to_add.append(Change(lms.name, lms.email, lms.role, subject=lms.subject))
            else:
                result.without_email.append(Change(lms.name, None, lms.role, subject=lms.subject))
            continue
        present.add(user.id)
        membership = current.get(user.id)
        if membership is None:
            result.to_add.append(Change(user.name, user.email, lms.role, subject=lms.subject, user_id=user.id))
        elif membership.source_group == source and membership.role != lms.role:
            result.role_changes.append(Change(user.name, user.email, lms.role, subject=lms.subject, user_id=user.id,
                                              member_id=membership.id, old_role=membership.role))
        else:
            result.unchanged += 1
    for user_id, membership in sorted(current.items(), key=lambda item: item[1].user.name.lower()):
        if user_id in present:
            continue
        change = Change(membership.user.name, membership.user.email, membership.role, user_id=user_id,
                        member_id=membership.id)
        if membership.source_group == source:
            result.leaving.append(change)
        else:
            result.kept.append(change)
    return result


def apply(result: RosterPreview, *, actor: User | None) -> dict[str, int]:
    """Carry out the preview: add, change roles, remove those who left the course (only members it brought in).
    Flushes; the caller commits. A cohort's last course leader keeps that role and stays."""
    context = result.context
    source = source_of(context)
    done = {"added": 0, "changed": 0, "removed": 0, "skipped": 0}
    for change in result.to_add:
        user = db.session.get(User, change.user_id) if change.user_id else None
        if user is None:
            user = user_by_email(change.email) if change.email else None
            if user is None:
                user = create_user(change.email or "", change.name, None)
        _link(context, user, change)
        if db.session.scalar(select(Membership.id).where(Membership.cohort_id == context.cohort_id,
                                                         Membership.user_id == user.id)) is not None:
            done["skipped"] += 1
            continue
        member = add_member(context.cohort, user, change.role, actor=actor or user)
        member.source_group = source
        done["added"] += 1
    for change in result.role_changes:
        changing = db.session.get(Membership, change.member_id)
        if changing is None or changing.source_group != source:
            continue
        try:
            change_role(changing, change.role, actor=actor)  # type: ignore[arg-type]
        except ValidationError:
            done["skipped"] += 1
            continue
        changing.source_group = source  # still the course's to change
        done["changed"] += 1
    for change in result.leaving:
        leaving = db.session.get(Membership, change.member_id)
        if leaving is None or leaving.source_group != source:
            continue
        try:
            remove_member(leaving, actor=actor)  # type: ignore[arg-type]
        except ValidationError:
            done["skipped"] += 1
            continue
        done["removed"] += 1
    context.roster_synced_at = utcnow()
    context.roster_error = ""
    context.roster_error_at = None
    record("lti.roster_synced", actor=actor, cohort_id=context.cohort_id, subject=context, course=context.title,
           **done)
    db.session.flush()
    return done


def _link(context: LtiContext, user: User, change: Change) -> None:
    """Remember who the person is in the LMS, so that the next sync and their scores find them. An account that
    has a password of its own, found by its e-mail address only, is not linked (its owner links it at a launch)."""
    if not change.subject:
        return
    issuer = context.platform.issuer
    if db.session.scalar(select(Identity.id).where(Identity.issuer == issuer,
                                                   Identity.subject == change.subject)) is not None:
        return
    if change.user_id is not None and user.password_hash:
        return
    db.session.add(Identity(user_id=user.id, issuer=issuer, subject=change.subject, email=change.email))
    db.session.flush()
    record("user.identity_linked", actor=user, subject=user, issuer=issuer)


def record_failure(context: LtiContext, error: str) -> None:
    context.roster_error = error[:2000]
    context.roster_error_at = utcnow()


def sync(context: LtiContext, *, actor: User | None) -> dict[str, int]:
    """Fetch and apply in one go (the nightly sync). Raises RosterUnavailable, having changed nothing."""
    return apply(preview(context, fetch_members(context)), actor=actor)


@task(name="lti.sync_all_rosters")
def sync_all_rosters() -> dict[str, int]:
    """Nightly: every course with a member list, each in its own transaction; a failure is kept on the course for
    its leaders to see, and the other courses go on."""
    ids = list(db.session.scalars(select(LtiContext.id).where(LtiContext.memberships_url.is_not(None))
                                  .order_by(LtiContext.id)))
    outcome = {"synced": 0, "failed": 0}
    for context_id in ids:
        context = db.session.get(LtiContext, context_id)
        if context is None or not context.platform.active:
            continue
        try:
            sync(context, actor=None)
            db.session.commit()
            outcome["synced"] += 1
        except RosterUnavailable as exc:
            db.session.rollback()
            context = db.session.get_one(LtiContext, context_id)
            record_failure(context, str(exc))
            db.session.commit()
            outcome["failed"] += 1
        except Exception as exc:  # one course's trouble must not stop the others
            db.session.rollback()
            current_app.logger.exception("Roster sync of LMS course %s failed", context_id)
            context = db.session.get_one(LtiContext, context_id)
            record_failure(context, describe_failure(exc))
            db.session.commit()
            outcome["failed"] += 1
    return outcome


def context_of(cohort_id: int) -> LtiContext | None:
    """The LMS course linked to a cohort (the one most recently launched from, if there are several)."""
    return db.session.scalar(select(LtiContext).where(LtiContext.cohort_id == cohort_id)
                             .order_by(LtiContext.id.desc()).limit(1))
