"""Invitations to a cohort by e-mail: send, send again, revoke, accept. Services flush; the caller commits.

The link's token is kept only as a hash. It works once, for COHORT_INVITATION_DAYS, and stops working when the
invitation is revoked or sent again (the new e-mail carries a new token). Accepting adds the membership with the
invitation's role, for the person the invitation was sent to: whoever else is signed in changes nothing."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.audit.services import record
from app.auth.models import User, normalise_email, user_by_email
from app.auth.services import create_user
from app.cohorts.models import Cohort, Invitation, Membership, Role
from app.cohorts.services import add_member, role_label
from app.db import db, rowcount, utcnow
from app.errors import Conflict, NotFound, ValidationError
from app.mail.services import send_mail
from app.urls import external_url

STATUS_ORDER = ("pending", "expired", "revoked", "accepted")


class InvitationUnusable(ValidationError):
    """The link was used, revoked, replaced or has expired."""


class WrongPerson(Conflict):
    """Someone other than the invited person is signed in."""


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.sent_at = utcnow()
    invitation.expires_at = invitation.sent_at + timedelta(days=current_app.config["COHORT_INVITATION_DAYS"])
    return token


def invite(cohort: Cohort, email: str, role: Role, *, actor: User, name: str = "") -> Invitation:
    """Invite `email` to the cohort as `role` and send the link."""
    try:
        email = normalise_email(validate_email(email or "", check_deliverability=False).normalized)
    except EmailNotValidError:
        raise ValidationError(_("Enter a valid e-mail address, like name@example.org.")) from None
    existing = user_by_email(email)
    if existing is not None and db.session.scalar(db.select(Membership.id).where(
            Membership.cohort_id == cohort.id, Membership.user_id == existing.id)) is not None:
        raise ValidationError(_("%(email)s is already a member of this cohort.", email=email))
    if pending_invitation(cohort, email) is not None:
        raise ValidationError(_("%(email)s already has an invitation that has not been answered. Send it again from "
                                "the list of invitations if it was lost.", email=email))
    invitation = Invitation(cohort_id=cohort.id, email=email, name=" ".join((name or "").split()), role=Role(role),
                            invited_by_id=actor.id, token_hash="")
    token = _new_token(invitation)
    db.session.add(invitation)
    db.session.flush()
    record("invitation.sent", actor=actor, cohort=cohort, subject=invitation, email=email, role=invitation.role.value)
    _send(invitation, token, existing)
    return invitation


def pending_invitation(cohort: Cohort, email: str) -> Invitation | None:
    return db.session.scalar(db.select(Invitation).where(
        Invitation.cohort_id == cohort.id, Invitation.email == normalise_email(email),
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()))


def resend(invitation: Invitation, *, actor: User) -> Invitation:
    """A new link with a new lifetime; the old link stops working. Also brings back an expired or revoked one."""
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was accepted already."))
    token = _new_token(invitation)
    invitation.revoked_at = None
    record("invitation.resent", actor=actor, cohort=invitation.cohort, subject=invitation, email=invitation.email)
    db.session.flush()
    _send(invitation, token, user_by_email(invitation.email))
    return invitation


def revoke(invitation: Invitation, *, actor: User) -> Invitation:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was accepted already. Remove the member instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        record("invitation.revoked", actor=actor, cohort=invitation.cohort, subject=invitation,
               email=invitation.email)
        db.session.flush()
    return invitation


def _send(invitation: Invitation, token: str, existing: User | None) -> None:
    link = external_url("invitations.accept", token=token)
    with force_locale((existing.locale if existing else None) or "en"):
        subject = _("You are invited to %(cohort)s in Care Plan Lab", cohort=invitation.cohort.name)
        body = _(
            "Hello,\n\nYou are invited to the cohort \"%(cohort)s\" in Care Plan Lab as %(role)s.\n"
            "Open this link to accept. There you choose your name and a password, or sign in with the account you "
            "have. The link works once, for %(days)d days:\n\n%(link)s\n\n"
            "If you did not expect this invitation, you can ignore this e-mail.",
            cohort=invitation.cohort.name, role=role_label(invitation.role), link=link,
            days=current_app.config["COHORT_INVITATION_DAYS"],
        )
    send_mail(invitation.email, subject, body, kind="cohort_invitation")


def by_token(token: str) -> Invitation | None:
    """The invitation of this link, whatever its state (the page says which), or None for an unknown link."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(db.select(Invitation).where(Invitation.token_hash == _hash(token)))


def get_in_cohort(cohort: Cohort, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.cohort_id != cohort.id:
        raise NotFound()
    return invitation


def invitations_of(cohort: Cohort) -> list[Invitation]:
    """Every invitation of the cohort: pending first, then expired, revoked and accepted; newest first in each."""
    found = list(db.session.scalars(db.select(Invitation).where(Invitation.cohort_id == cohort.id)
                                    .order_by(Invitation.sent_at.desc(), Invitation.id.desc())))
    return sorted(found, key=lambda invitation: STATUS_ORDER.index(invitation.status))


def is_for(invitation: Invitation, user: User) -> bool:
    return normalise_email(user.email) == invitation.email


def _claim(invitation: Invitation, user: User) -> None:
    """Mark it used, once: of two clicks at the same moment only one gets here."""
    now = utcnow()
    claimed = rowcount(db.session.execute(
        db.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(accepted_at=now, accepted_by_id=user.id)
        .execution_options(synchronize_session=False)))
    if claimed != 1:
        raise InvitationUnusable(_("This invitation has expired, was revoked or has already been used."))
    db.session.refresh(invitation)


def accept(invitation: Invitation, user: User, *, any_account: bool = False) -> Membership:
    """The invited person accepts: the membership with the invitation's role (a member already keeps their role).

    `any_account`: the person came from the invitation's own page and signed in there with the provider, so the
    link (which only the invited mailbox received) vouches for them even when the provider knows another address."""
    if invitation.status != "pending":
        raise InvitationUnusable(_("This invitation has expired, was revoked or has already been used."))
    if not any_account and not is_for(invitation, user):
        raise WrongPerson(_("This invitation was sent to another e-mail address."))
    _claim(invitation, user)
    member = add_member(invitation.cohort, user, invitation.role, actor=user)
    record("invitation.accepted", actor=user, cohort=invitation.cohort, subject=invitation, user_id=user.id,
           role=invitation.role.value)
    db.session.flush()
    return member


def accept_with_new_account(invitation: Invitation, name: str, password: str, *,
                            locale: str | None = None) -> User:
    """No account with the invited address yet: make one with this name and password, then accept."""
    if invitation.status != "pending":
        raise InvitationUnusable(_("This invitation has expired, was revoked or has already been used."))
    user = create_user(invitation.email, name, password, locale=locale)
    accept(invitation, user)
    return user


def status_label(status: str) -> str:
    return {"pending": _("pending"), "accepted": _("accepted"), "expired": _("expired"),
            "revoked": _("revoked")}[status]


def account_exists(invitation: Invitation) -> bool:
    return user_by_email(invitation.email) is not None
