"""Who is signed in: Flask-Login's settings, the loader that reads the person from the session's id, and what that
read tells the rest of the request about them (`SignedIn`)."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

if TYPE_CHECKING:
    from app.cohorts.models import Role


@dataclasses.dataclass(frozen=True)
class SignedIn:
    """What the sign-in of this request read with the person's account, in the same round trip: their language,
    their unread notifications and their role in each cohort, which a page asks about many times (the header and
    menu, the buttons, access to the page). Kept for the request in `flask.g`; a value that changes during the
    request is set to None (`forget_*`) and read from the database when next asked."""

    user_id: int
    locale: str | None
    unread: int | None
    roles_by_cohort: Mapping[int, Role] | None


def register_signin(app: Flask) -> None:
    from app.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)

    @app.teardown_request
    def end_of_sign_in(_error=None):
        g.pop("signed_in", None)  # nothing of it outlives the request, also where the app context does (tests)


def account_only(view):
    """Marks a view that shows no page (an autosave, say): its sign-in reads the account alone, not the roles and
    unread count every page's header and menu need; whichever of them the view asks for is read when asked."""
    view.account_only = True
    return view


def load_user(value: str):
    """The account of the session's id ("<user id>.<session nonce>"), or None when it is unknown or was signed out
    everywhere (a new nonce). What came with it is this request's `SignedIn`."""
    from app.db import db

    user_id, _, nonce = (value or "").partition(".")
    if not user_id.isdigit():
        return None
    account_alone = _shows_no_page()
    statement = account_query() if account_alone else sign_in_query()
    row = db.session.execute(statement, {"user_id": int(user_id)}).unique().first()
    if row is None or row[0].session_nonce != nonce:
        return None
    user = row[0]
    if account_alone:  # the roles and the unread count are read if the view asks for them
        g.signed_in = SignedIn(user_id=user.id, locale=user.locale, unread=None, roles_by_cohort=None)
    else:
        g.signed_in = SignedIn(user_id=user.id, locale=user.locale, unread=row[1],
                               roles_by_cohort=MappingProxyType({m.cohort_id: m.role for m in user.memberships}))
    return user


def _shows_no_page() -> bool:
    view = current_app.view_functions.get(request.endpoint) if has_request_context() and request.endpoint else None
    return bool(getattr(view, "account_only", False))


# Only the columns pages use: the password hash, the e-mail address and the dates are read when first asked for
# (the account page, a change of password), and every column costs each page a little to decode.
ACCOUNT_COLUMNS = ("name", "is_admin", "locale", "session_nonce")


@functools.cache
def account_query():
    """The account alone, for a request that shows no page (`account_only`)."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import load_only

    from app.auth.models import User
    from app.db import db

    return (db.select(User).where(User.id == bindparam("user_id"))
            .options(load_only(*(getattr(User, name) for name in ACCOUNT_COLUMNS))))


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

    return (db.select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))
            .options(load_only(*(getattr(User, name) for name in ACCOUNT_COLUMNS)),
                     joinedload(User.memberships).load_only(Membership.cohort_id, Membership.role)))


def signed_in_as(user) -> SignedIn | None:
    """This request's `SignedIn` when `user` (an account, `current_user`, or an id) is the person signed in in it;
    None for anyone else, and outside a request."""
    signed = g.get("signed_in") if has_request_context() else None
    if signed is None or user is None:
        return None
    return signed if account_id(user) == signed.user_id else None


def account_id(user) -> int | None:
    """The id of an account, without reading it again when a commit has expired it."""
    if isinstance(user, int):
        return user
    if hasattr(user, "_get_current_object"):  # current_user: the account behind the proxy
        user = user._get_current_object()
    loaded = vars(user).get("id")
    if loaded is not None:
        return loaded
    state = sa_inspect(user, raiseerr=False)  # expired by a commit: the id is still the identity's
    if state is not None and state.identity is not None:
        return state.identity[0]
    return getattr(user, "id", None)


def _change(user, **values) -> None:
    signed = signed_in_as(user)
    if signed is not None:
        g.signed_in = dataclasses.replace(signed, **values)


def remember_roles(user, roles: Mapping[int, Role]) -> None:
    """The roles of the person signed in, read again after a change (`forget_roles`)."""
    _change(user, roles_by_cohort=MappingProxyType(dict(roles)))


def forget_roles(user) -> None:
    """After a membership of `user` changed: their roles are read from the database when next asked."""
    _change(user, roles_by_cohort=None)


def forget_unread(user) -> None:
    """After notifications of `user` were read: the count is read from the database when next asked."""
    _change(user, unread=None)
