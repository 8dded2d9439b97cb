"""Accounts: creating them, passwords, single-use links. Services flush; the caller commits."""
from __future__ import annotations

import functools
import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record
from app.auth.models import PasswordToken, User, new_session_nonce, normalise_email, user_by_email
from app.auth.passwords import password_problem
from app.db import db, rowcount, utcnow
from app.errors import ValidationError
from app.mail.services import send_mail
from app.urls import external_url


class EmailTaken(ValidationError):
    pass


class WrongPassword(ValidationError):
    pass


def require_good_password(password: str, *, email: str | None, name: str | None) -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ValidationError(problem)


def create_user(email: str, name: str, password: str | None = None, *, is_admin: bool = False,
                locale: str | None = None, actor: User | None = None) -> User:
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise EmailTaken(_("An account with this e-mail address already exists."))
    user = User(email=email, name=name.strip(), is_admin=is_admin, locale=locale)
    if password is not None:
        require_good_password(password, email=email, name=name)
        user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # another request registered the same address in the meantime
        if user_by_email(email) is not None:
            raise EmailTaken(_("An account with this e-mail address already exists.")) from None
        raise
    record("user.created", actor=actor, subject=user, email=email, admin=is_admin)
    return user


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def check_no_password(password: str) -> None:
    """As long as checking a real password: an address without an account (or without a password yet) must not
    answer faster than one with an account, or the time would tell which addresses have one."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


def answer_no_sooner(started: float) -> None:
    """Wait until ACCOUNT_ANSWER_SECONDS have passed since `started` (time.perf_counter())."""
    remaining = current_app.config["ACCOUNT_ANSWER_SECONDS"] - (time.perf_counter() - started)
    if remaining > 0:
        time.sleep(remaining)


def authenticate(email: str, password: str) -> User | None:
    user = user_by_email(email)
    if user is None or not user.password_hash:
        check_no_password(password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Every login cookie of this account stops working (used at logout and on password change)."""
    user.session_nonce = new_session_nonce()


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise WrongPassword(_("Your current password is not correct."))
    require_good_password(new, email=user.email, name=user.name)
    user.set_password(new)
    end_all_sessions(user)
    record("user.password_changed", actor=user, subject=user)


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError(_("Unknown language."))
    user.locale = locale


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_token(user: User, purpose: str = "reset") -> str:
    """Create a single-use token; only its hash is kept. Earlier unused tokens of the same kind stop working."""
    now = utcnow()
    for old in db.session.scalars(
        db.select(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.purpose == purpose, PasswordToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    if purpose == "invite":
        lifetime = timedelta(days=current_app.config["INVITATION_DAYS"])
    else:
        lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, token_hash=_hash(token), purpose=purpose, expires_at=now + lifetime))
    db.session.flush()
    return token


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists. Says nothing either way, so accounts cannot be discovered."""
    user = user_by_email(email)
    if user is None:
        return
    token = issue_password_token(user, "reset")
    link = external_url("auth.reset_password", token=token)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    with force_locale(user.locale or "en"):
        subject = _("Reset your Care Plan Lab password")
        body = _(
            "Hello %(name)s,\n\nSomeone (we hope you) asked to reset the password of your Care Plan Lab account.\n"
            "Open this link within %(hours)d hours to choose a new password. It works once:\n\n%(link)s\n\n"
            "If you did not ask for this, you can ignore this e-mail; your password stays as it is.",
            name=user.name, hours=hours, link=link,
        )
    send_mail(user.email, subject, body, kind="password_reset")


def send_welcome(user: User, cohort_name: str) -> None:
    """To someone who has just created their account with a join code."""
    link = external_url("auth.login")
    with force_locale(user.locale or "en"):
        subject = _("Welcome to Care Plan Lab")
        body = _(
            "Hello %(name)s,\n\nYour Care Plan Lab account is ready, and you are a student in the cohort \"%(cohort)s\".\n"
            "Sign in with this e-mail address and the password you chose:\n\n%(link)s\n\n"
            "If you did not create this account, tell your course leader.",
            name=user.name, cohort=cohort_name, link=link,
        )
    send_mail(user.email, subject, body, kind="welcome")


def send_account_exists(user: User, cohort_name: str, join_code: str) -> None:
    """To the owner of an address someone tried to create a new account with: the page said only "check your
    e-mail", so whether the address has an account is told to its owner alone."""
    join = external_url("auth.join", code=join_code)
    with force_locale(user.locale or "en"):
        subject = _("Joining a cohort in Care Plan Lab")
        body = _(
            "Hello %(name)s,\n\nSomeone (we hope you) tried to create a Care Plan Lab account with this e-mail address "
            "to join the cohort \"%(cohort)s\". You already have an account, so no new one was created.\n"
            "Sign in, then join with the code %(code)s:\n\n%(join)s\n\n"
            "If you have forgotten your password, choose a new one here:\n\n%(forgot)s\n\n"
            "If this was not you, you can ignore this e-mail.",
            name=user.name, cohort=cohort_name, code=join_code, join=join, forgot=external_url("auth.forgot_password"),
        )
    send_mail(user.email, subject, body, kind="account_exists")


def send_invitation(user: User, cohort_name: str, role_label: str) -> None:
    token = issue_password_token(user, "invite")
    link = external_url("auth.reset_password", token=token)
    with force_locale(user.locale or "en"):
        subject = _("You are invited to Care Plan Lab")
        body = _(
            "Hello %(name)s,\n\nYou have been added to the cohort \"%(cohort)s\" in Care Plan Lab as %(role)s.\n"
            "Open this link to choose your password and sign in. It works once and for %(days)d days:\n\n%(link)s\n",
            name=user.name, cohort=cohort_name, role=role_label, link=link,
            days=current_app.config["INVITATION_DAYS"],
        )
    send_mail(user.email, subject, body, kind="invitation")


def token_user(token: str) -> PasswordToken | None:
    """The valid token for this link, or None when it is unknown, used or expired."""
    found = db.session.scalar(db.select(PasswordToken).where(PasswordToken.token_hash == _hash(token or "")))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    return found


def reset_password(token: str, new_password: str) -> User:
    found = token_user(token)
    if found is None:
        raise ValidationError(_("This link has expired or has already been used. Ask for a new one."))
    require_good_password(new_password, email=found.user.email, name=found.user.name)
    # A conditional update, so two clicks on the same link cannot both succeed.
    claimed = rowcount(db.session.execute(
        db.update(PasswordToken)
        .where(PasswordToken.id == found.id, PasswordToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ))
    if claimed != 1:
        raise ValidationError(_("This link has expired or has already been used. Ask for a new one."))
    user = found.user
    user.set_password(new_password)
    end_all_sessions(user)
    record("user.password_reset", actor=user, subject=user, purpose=found.purpose)
    return user
