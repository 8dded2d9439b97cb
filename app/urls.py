from __future__ import annotations

import unicodedata
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None. Never another host (no open redirects).

    Every return address a request carries (`next`, `back`) goes through here before a redirect. Browsers drop tabs
    and newlines inside a URL and read a backslash as a slash, so `/<TAB>/evil.example` or `/\\evil.example` would
    leave the site: any control or unusual whitespace character, and any backslash, refuses the address."""
    if not target:
        return None
    target = target.strip()
    if any(_unsafe_character(ch) for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if target.startswith("/login"):
        return None
    return target


def _unsafe_character(ch: str) -> bool:
    return ch == "\\" or (ch != " " and unicodedata.category(ch)[0] in "CZ")


def external_url(endpoint: str, **values) -> str:
    """An absolute link to `endpoint` for e-mails and for people to share: always on the configured BASE_URL (its
    scheme, host and path), never on the Host or X-Forwarded-Host of the request that happens to send it."""
    from flask import current_app

    base = urlsplit(current_app.config["BASE_URL"])
    anchor = values.pop("_anchor", None)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme)
    link = adapter.build(endpoint, values, force_external=True)
    return f"{link}#{url_quote(anchor)}" if anchor else link


DB_INT_MAX = 2**31 - 1


def bounded_int(value) -> int:
    """An integer a database column can hold; anything else is a ValueError (so request.args.get(type=...) gives None)."""
    number = int(value)
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError("out of range")
    return number


def is_db_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -DB_INT_MAX <= value <= DB_INT_MAX


class DatabaseId(IntegerConverter):
    """`<int:…>` in URLs: ids stay within what the database can hold; anything larger is simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
