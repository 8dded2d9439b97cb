"""Who is signed in: Flask-Login's settings and the loader that reads the person from the session's id."""
from __future__ import annotations

import functools

from flask import Flask
from flask_babel import lazy_gettext as _l


def register_signin(app: Flask) -> None:
    from app.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def load_user(value: str):
    """The account of the session's id ("<user id>.<session nonce>"), or None when it is unknown or was signed out
    everywhere (a new nonce)."""
    from app.db import db

    user_id, _, nonce = (value or "").partition(".")
    if not user_id.isdigit():
        return None
    row = db.session.execute(sign_in_query(), {"user_id": int(user_id)}).unique().first()
    if row is None or row[0].session_nonce != nonce:
        return None
    user, unread = row
    user._unread_notifications = unread  # read by notifications.services.unread_count
    user._locale_as_read = user.locale  # read by i18n.select_locale, also after a commit has expired the user
    return user


@functools.cache
def sign_in_query():
    """One round trip for what every page asks about the person: the account, their roles in each cohort (menus,
    buttons, access) and the unread count in the header. Built once; each request only binds the id."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload, load_only

    from app.auth.models import User
    from app.cohorts.models import Membership
    from app.db import db
    from app.notifications.services import unread_count_of

    # Only the columns pages use: the password hash, the e-mail address and the dates are read when first asked
    # for (the account page, a change of password), and every column costs each page a little to decode.
    return (db.select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))
            .options(load_only(User.name, User.is_admin, User.locale, User.session_nonce),
                     joinedload(User.memberships).load_only(Membership.cohort_id, Membership.role)))
