"""Signing in with an OpenID Connect provider: who the provider says the person is, which account that is here, and
linking it to an account that already has the same e-mail address. Services flush; the caller commits."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.audit.services import record
from app.auth.models import User, normalise_email, user_by_email
from app.auth.services import WrongPassword, check_no_password, create_user
from app.db import db, utcnow
from app.errors import ValidationError
from app.oidc.models import Identity

# Where Feide puts the Feide user id (with the scope userid-feide), and the older Dataporten list of user ids.
EPPN_CLAIMS = ("https://n.feide.no/claims/eduPersonPrincipalName", "eduPersonPrincipalName", "eppn")
DATAPORTEN_IDS = "dataporten-userid_sec"


@dataclasses.dataclass(frozen=True)
class ProviderPerson:
    """What the provider said about the person at this sign-in."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str
    eppn: str | None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProviderPerson:
        return cls(issuer=str(data["issuer"]), subject=str(data["subject"]), email=data.get("email"),
                   email_verified=bool(data.get("email_verified")), name=str(data.get("name") or ""),
                   eppn=data.get("eppn"))


def person_from_claims(claims: Mapping[str, Any], issuer: str) -> ProviderPerson:
    subject = str(claims.get("sub") or "").strip()
    if not subject or not issuer:
        raise ValidationError(_("The sign-in service did not say who you are."))
    email = normalise_email(str(claims.get("email") or "")) or None
    if email and (len(email) > 254 or "@" not in email):
        email = None
    verified = claims.get("email_verified")
    email_verified = bool(email) and (verified is True or str(verified).lower() == "true"
                                      or (verified is None and current_app.config["FEIDE_TRUST_EMAIL"]))
    eppn = next((str(claims[name]) for name in EPPN_CLAIMS if claims.get(name)), None)
    if eppn is None:
        for value in claims.get(DATAPORTEN_IDS) or []:
            if isinstance(value, str) and value.startswith("feide:"):
                eppn = value.removeprefix("feide:")
                break
    name = " ".join(str(claims.get("name") or "").split()) or " ".join(
        str(claims.get(part) or "") for part in ("given_name", "family_name")).strip()
    if not name:
        name = (eppn or email or "").split("@")[0] or _("New user")
    return ProviderPerson(issuer=issuer[:255], subject=subject[:255], email=email, email_verified=email_verified,
                          name=name[:120], eppn=eppn[:254] if eppn else None)


def identity_of(person: ProviderPerson) -> Identity | None:
    return db.session.scalar(db.select(Identity).where(Identity.issuer == person.issuer,
                                                       Identity.subject == person.subject))


@dataclasses.dataclass
class SignIn:
    """The outcome: `user` signed in (`created` when the account is new), or `link_to` (an account with the same
    address, to be linked with its password), or `refusal` (why nobody is signed in)."""

    user: User | None = None
    created: bool = False
    link_to: User | None = None
    refusal: str | None = None


def sign_in(person: ProviderPerson, *, may_create: bool, locale: str | None = None) -> SignIn:
    identity = identity_of(person)
    if identity is not None:
        _refresh(identity, person)
        return SignIn(user=identity.user)
    existing = user_by_email(person.email) if person.email else None
    if existing is not None:
        if not existing.password_hash and person.email_verified:
            # Made for this address by a course leader (appointed, or enrolled from a file) and never given a
            # password: there is no password to prove, and the provider has verified the address it was made for.
            _add_identity(existing, person)
            return SignIn(user=existing)
        return SignIn(link_to=existing)
    if not may_create:
        return SignIn(refusal=_("There is no account for you here yet. Ask your course leader for an invitation."))
    if not person.email or not person.email_verified:
        return SignIn(refusal=_("The sign-in service did not give a verified e-mail address, so no account could be "
                                "made. Ask your course leader for an invitation."))
    user = create_user(person.email, person.name, None, locale=locale)
    _add_identity(user, person)
    return SignIn(user=user, created=True)


def link(user: User, person: ProviderPerson, password: str) -> Identity:
    """The owner of `user` proves it with the account's password once; from then on the provider signs them in."""
    if not user.password_hash:
        check_no_password(password)
        raise WrongPassword(_("The password is not correct."))
    if not user.check_password(password):
        raise WrongPassword(_("The password is not correct."))
    found = identity_of(person)
    if found is not None:  # linked from another tab in the meantime
        if found.user_id != user.id:
            raise ValidationError(_("This sign-in is already linked to another account."))
        return found
    return _add_identity(user, person)


def _add_identity(user: User, person: ProviderPerson) -> Identity:
    identity = Identity(user_id=user.id, issuer=person.issuer, subject=person.subject, eppn=person.eppn,
                        email=person.email, last_login_at=utcnow())
    db.session.add(identity)
    db.session.flush()
    user.last_login_at = utcnow()
    record("user.identity_linked", actor=user, subject=user, issuer=person.issuer, eppn=person.eppn)
    return identity


def _refresh(identity: Identity, person: ProviderPerson) -> None:
    identity.eppn = person.eppn or identity.eppn
    identity.email = person.email or identity.email
    identity.last_login_at = identity.user.last_login_at = utcnow()


def identities_of(user: User) -> list[Identity]:
    return list(db.session.scalars(db.select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)))
