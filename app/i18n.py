"""Which language a page speaks: the account's choice, else the visitor's choice, else the browser's."""
from __future__ import annotations

import functools

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from app.signin import signed_in_as


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False):
        signed = signed_in_as(current_user)
        # The account's choice as read with the account at the start of the request: after a commit has expired
        # the account, reading it again would cost a query (a change of language takes effect on the next page).
        locale = signed.locale if signed is not None else current_user.locale
        if locale is not None and locale in languages:
            return str(locale)
    chosen = session.get("locale")
    if chosen is not None and chosen in languages:
        return chosen
    # Browsers say "no" or "nn" as often as "nb"; all read bokmål.
    best = request.accept_languages.best_match(["en", "nb", "no", "nn"])
    if best in ("nb", "no", "nn"):
        return "nb"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_context() -> dict:
    """For every template: the language menu (it posts to core.change_locale, validated by LocaleForm there, and
    comes back to `locale_next`), the page's language, and gettext bound to its catalogue (`render_gettext`)."""
    return {"locale_next": request.full_path.rstrip("?"), "current_locale": current_locale(),
            "languages": current_app.config["LANGUAGES"], **render_gettext()}


def render_gettext() -> dict:
    """`_`, `gettext` and `ngettext` for one template render, bound to the catalogue of the language it renders in.

    They behave as Flask-Babel's (Jinja's "newstyle" gettext: escaped, then `%`-formatted with the keyword
    arguments), but look the catalogue up once per render instead of once per string; a page says a hundred or
    more. Mail rendered in its recipient's language (`force_locale`) gets that language's catalogue, since each
    render asks anew. Macros imported without context use the global functions, which give the same answers."""
    from flask_babel import get_translations
    from jinja2 import pass_context
    from markupsafe import Markup

    translations = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language if locale else "en") if str(locale) != "nb" else "nb"


# A date and a time to the minute ("7 Dec 2026 14:00"): due dates, submissions, releases. Seconds mean nothing there.
DAY_AND_TIME = "day and time"


@functools.lru_cache(maxsize=4096)
def _formatted(value, fmt: str, locale: str, timezone: str) -> str:
    """A time as the person reads it, in their language and time zone (both part of the key: Flask-Babel formats
    with the request's own). Pages show the same due dates and save times again and again."""
    from flask_babel import format_date, format_datetime, format_time

    if fmt == DAY_AND_TIME:
        return f"{format_date(value, 'medium')} {format_time(value, 'short')}"
    return format_datetime(value, fmt)


def format_moment(value, fmt: str = DAY_AND_TIME) -> str:
    """`value` (a datetime, or None for "") in the reader's language and time zone: to the minute by default,
    else in a Babel format ("short", "HH:mm", …)."""
    from flask_babel import get_locale, get_timezone

    return _formatted(value, fmt, str(get_locale()), str(get_timezone())) if value else ""


# The time of day alone ("14:05"), for what happened today: "Saved 14:05".
def time_of_day(value) -> str:
    """`value` as "14:05" in the reader's time zone. The pattern is the same in every language, so it is written
    directly rather than through Babel's formatting, and not kept: each save has a time of its own."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).strftime("%H:%M") if value else ""


def iso_moment(value) -> str:
    """`value` for programs to read (exports): ISO 8601 to the minute, in the reader's time zone, with its offset
    ("2026-12-07T14:00+01:00"); "" for None."""
    from flask_babel import get_timezone

    return value.astimezone(get_timezone()).isoformat(timespec="minutes") if value else ""
