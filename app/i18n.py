"""Which language a page speaks: the account's choice, else the visitor's choice, else the browser's."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False):
        user = current_user._get_current_object()
        # The account's choice as read with the account at the start of the request: after a commit has expired
        # the account, reading it again would cost a query (a change of language takes effect on the next page).
        locale = user.__dict__["_locale_as_read"] if "_locale_as_read" in user.__dict__ else user.locale
        if locale in languages:
            return locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    # Browsers say "no" or "nn" as often as "nb"; all read bokmål.
    best = request.accept_languages.best_match(["en", "nb", "no", "nn"])
    if best in ("nb", "no", "nn"):
        return "nb"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language if locale else "en") if str(locale) != "nb" else "nb"
