"""What an LTI launch means here: who the person is (keyed on the platform's issuer and their subject there), which
cohort the LMS course fills, which role they get in it, and which assignment the link opens. Services flush; the
caller commits, or rolls back when a launch is refused, so that a refused launch creates nothing."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.assignments.models import Assignment
from app.audit.services import record
from app.auth.models import User
from app.cohorts.models import Cohort, Membership, Role
from app.cohorts.services import add_member, create_cohort
from app.db import db
from app.errors import ValidationError
from app.lti.models import LtiContext, LtiNonce, LtiPlatform, LtiResourceLink
from app.oidc import services as oidc_services

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES_CLAIM = LTI + "roles"
CONTEXT_CLAIM = LTI + "context"
RESOURCE_LINK_CLAIM = LTI + "resource_link"
DEPLOYMENT_CLAIM = LTI + "deployment_id"
CUSTOM_CLAIM = LTI + "custom"
PRESENTATION_CLAIM = LTI + "launch_presentation"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RANK = {Role.student: 0, Role.instructor: 1, Role.leader: 2}
SOURCE_PREFIX = "lti:"


class LaunchRefused(Exception):
    """A launch that cannot go on: `message` is shown to the person, with `status` 400 or 403."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclasses.dataclass(frozen=True)
class LmsRoles:
    learner: bool = False
    instructor: bool = False  # Instructor (teacher) of the course
    assistant: bool = False  # TeachingAssistant
    administrator: bool = False  # the course's, the institution's or the platform's administrator

    @property
    def staff(self) -> bool:
        return self.instructor or self.assistant or self.administrator

    @property
    def may_set_up_course(self) -> bool:
        return self.instructor or self.administrator


def lms_roles(claims: Mapping[str, Any]) -> LmsRoles:
    """The LTI role URIs (membership, institution and system roles; short names too) in four kinds."""
    values = [str(value) for value in claims.get(ROLES_CLAIM) or [] if isinstance(value, str)]
    found = {"learner": False, "instructor": False, "assistant": False, "administrator": False}
    for value in values:
        name = value.rsplit("/", 1)[-1]
        base, _hash, sub = name.partition("#")
        if sub == "TeachingAssistant" or base == "TeachingAssistant":
            found["assistant"] = True
        elif sub == "Administrator" or base == "Administrator":
            found["administrator"] = True
        elif sub == "Instructor" or base == "Instructor":
            found["instructor"] = True
        elif sub in ("Learner", "Student") or base in ("Learner", "Student"):
            found["learner"] = True
    return LmsRoles(**found)


def cohort_role(platform: LtiPlatform, roles: LmsRoles) -> Role | None:
    """Administrator → course leader; Instructor and TeachingAssistant → the platform's staff role;
    Learner → student. None: no role this tool knows."""
    if roles.administrator:
        return Role.leader
    if roles.instructor or roles.assistant:
        return platform.staff_role
    if roles.learner:
        return Role.student
    return None


def check_nonce_unused(nonce: str, expires: int | None) -> None:
    """Each id_token's nonce is accepted once: a replayed launch is refused, also in another browser."""
    now = datetime.now(UTC)
    db.session.execute(db.delete(LtiNonce).where(LtiNonce.expires_at < now))
    until = datetime.fromtimestamp(expires, UTC) if expires else now + timedelta(hours=1)
    try:
        with db.session.begin_nested():
            db.session.add(LtiNonce(nonce=nonce[:255], expires_at=max(until, now + timedelta(minutes=10))))
    except IntegrityError:
        raise LaunchRefused(_("This launch was already used. Open the link in your course again.")) from None


def person_of(platform: LtiPlatform, claims: Mapping[str, Any]) -> oidc_services.ProviderPerson:
    try:
        person = oidc_services.person_from_claims(claims, platform.issuer)
    except ValidationError as exc:
        raise LaunchRefused(exc.message or "", 400) from None
    # The platform is registered by an administrator of this site and vouches for the addresses it sends.
    return dataclasses.replace(person, email_verified=bool(person.email))


@dataclasses.dataclass
class Launched:
    """The outcome: `user` signed in, `link_to` an existing account to link with its password first."""

    user: User | None = None
    link_to: User | None = None
    created: bool = False


def account_for(person: oidc_services.ProviderPerson, locale: str | None) -> Launched:
    """The same rules as signing in with an OpenID Connect provider (app/oidc/services.py): the platform's account
    of the person, or a local one made for the same address and never given a password; an account with a password
    is linked only once its owner gives the password."""
    outcome = oidc_services.sign_in(person, may_create=True, locale=locale)
    if outcome.refusal:
        raise LaunchRefused(_("Your learning platform did not share your e-mail address, so no account could be "
                              "made for you here. Ask your course's administrator to let the tool see names and "
                              "e-mail addresses."))
    return Launched(user=outcome.user, link_to=outcome.link_to, created=outcome.created)


def _unique_cohort_name(title: str) -> str:
    base = (title or "").strip()[:110] or _("Course")
    name, n = base, 1
    while db.session.scalar(db.select(Cohort.id).where(Cohort.name == name)) is not None:
        n += 1
        name = f"{base} ({n})"
    return name


def context_for(platform: LtiPlatform, claims: Mapping[str, Any], roles: LmsRoles, *,
                actor: User | None) -> LtiContext:
    """The LMS course's cohort, made at the first launch by an instructor or administrator of the course."""
    context_claim = claims.get(CONTEXT_CLAIM) or {}
    context_id = str(context_claim.get("id") or "").strip()[:255]
    if not context_id:
        raise LaunchRefused(_("The learning platform did not say which course this link is in."), 400)
    context = db.session.scalar(db.select(LtiContext).where(LtiContext.platform_id == platform.id,
                                                            LtiContext.context_id == context_id))
    title = str(context_claim.get("title") or context_claim.get("label") or "").strip()[:255]
    if context is None:
        if not roles.may_set_up_course:
            raise LaunchRefused(_("This course is not set up in Care Plan Lab yet. Your teacher opens the link "
                                  "once to set it up; please try again after that."))
        cohort = create_cohort(_unique_cohort_name(title), _("From %(platform)s", platform=platform.name),
                               actor=actor)
        context = LtiContext(platform_id=platform.id, deployment_id=str(claims.get(DEPLOYMENT_CLAIM) or "")[:255],
                             context_id=context_id, title=title, cohort_id=cohort.id)
        db.session.add(context)
        db.session.flush()
        record("lti.context_created", actor=actor, cohort=cohort, subject=cohort, platform=platform.name,
               context_id=context_id)
    context.title = title or context.title
    nrps = claims.get(NRPS_CLAIM) or {}
    if nrps.get("context_memberships_url"):
        context.memberships_url = str(nrps["context_memberships_url"])[:500]
    ags = claims.get(AGS_CLAIM) or {}
    if ags.get("lineitems"):
        context.lineitems_url = str(ags["lineitems"])[:500]
    if ags.get("scope"):
        context.ags_scopes = [str(scope) for scope in ags["scope"]]
    return context


def source_of(context: LtiContext) -> str:
    return f"{SOURCE_PREFIX}{context.platform_id}:{context.context_id}"[:255]


def join(context: LtiContext, user: User, role: Role) -> Membership:
    """The person's role in the course's cohort: added, or raised when the LMS gives them more than an earlier
    launch did. A membership given by hand in Care Plan Lab is never lowered or changed here."""
    member = db.session.scalar(db.select(Membership).where(Membership.cohort_id == context.cohort_id,
                                                           Membership.user_id == user.id))
    if member is None:
        member = add_member(context.cohort, user, role, actor=user)
        member.source_group = source_of(context)
    elif member.source_group == source_of(context) and RANK[role] > RANK[member.role]:
        record("membership.role_changed", actor=user, cohort=context.cohort, subject=member,
               user_id=user.id, old=member.role.value, new=role.value)
        member.role = role
    db.session.flush()
    return member


def resource_link_for(context: LtiContext, claims: Mapping[str, Any]) -> LtiResourceLink | None:
    link_claim = claims.get(RESOURCE_LINK_CLAIM) or {}
    link_id = str(link_claim.get("id") or "").strip()[:255]
    if not link_id:
        return None
    link = db.session.scalar(db.select(LtiResourceLink).where(LtiResourceLink.context_id == context.id,
                                                              LtiResourceLink.resource_link_id == link_id))
    if link is None:
        link = LtiResourceLink(context_id=context.id, resource_link_id=link_id)
        db.session.add(link)
    link.title = str(link_claim.get("title") or link.title or "")[:255]
    ags = claims.get(AGS_CLAIM) or {}
    if ags.get("lineitem"):
        link.lineitem_url = str(ags["lineitem"])[:500]
    if link.assignment_id is None:
        # A link made by deep linking carries the assignment it was made for.
        custom = claims.get(CUSTOM_CLAIM) or {}
        wanted = str(custom.get("assignment_id") or "")
        if wanted.isdigit():
            assignment = db.session.get(Assignment, int(wanted))
            if assignment is not None and assignment.cohort_id == context.cohort_id:
                link.assignment_id = assignment.id
    db.session.flush()
    return link


def attach(link: LtiResourceLink, assignment: Assignment, *, actor: User) -> None:
    if assignment.cohort_id != link.context.cohort_id:
        raise ValidationError(_("Choose an assignment of this course's cohort."))
    link.assignment_id = assignment.id
    db.session.flush()
    record("lti.link_attached", actor=actor, cohort=link.context.cohort, subject=assignment,
           resource_link_id=link.resource_link_id)


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(db.select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))
