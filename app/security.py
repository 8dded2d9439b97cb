"""What every response carries and every request is checked for: the security headers, no NUL characters, JSON no
deeper than people write it, and text that can always be written out again (no lone surrogates)."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, g, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security(app: Flask) -> None:
    app.json = CleaningJSONProvider(app)
    register_security_headers(app)
    register_input_guard(app)


def register_security_headers(app: Flask) -> None:
    fixed = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
             ("Cross-Origin-Opener-Policy", "same-origin")]
    if app.config.get("HSTS"):
        fixed.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    # Pages, PDFs, the account's data, JSON answers, even redirects and errors may carry personal data: none of it is
    # kept by a browser or proxy. Only the static files (the same for everyone) may be cached.
    personal = [*fixed, ("Cache-Control", "no-store")]
    static_prefix = (app.static_url_path or "/static").rstrip("/") + "/"

    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own (one pass over the response's headers, not one per header).
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        wanted = fixed if request.path.startswith(static_prefix) else personal
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        framed_by, posts_to = g.get("frame_ancestors"), g.get("form_action")
        if (framed_by or posts_to) and headers.get("Content-Security-Policy") == CSP:
            # A page of a session launched from a learning platform, shown inside it (app/lti), or the form that
            # sends a deep-linking answer back to the platform.
            policy = CSP
            if framed_by:
                policy = policy.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(framed_by))
                headers.pop("X-Frame-Options", None)
            if posts_to:
                policy = policy.replace("form-action 'self'", "form-action 'self' " + " ".join(posts_to))
            headers["Content-Security-Policy"] = policy
        return response


def register_input_guard(app: Flask) -> None:
    """NUL characters never belong in text and PostgreSQL cannot store them: refuse them at the door."""

    @app.before_request
    def refuse_nul_characters():
        values = [v for vs in request.args.listvalues() for v in vs]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.is_json and (b"\x00" in request.get_data() or b"\\u0000" in request.get_data()):
                abort(400, _("Text cannot contain NUL characters."))
            values += [v for vs in request.form.listvalues() for v in vs]
        if any("\x00" in value for value in values):
            abort(400, _("Text cannot contain NUL characters."))


# JSON nested deeper than this is refused before it is parsed: the app's own payloads are at most four levels deep,
# and a deep one (100,000 brackets) would exhaust the parser's recursion.
MAX_JSON_DEPTH = 32
# A string (also one left open at the end), an opening or a closing bracket.
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|([\[{])|[\]}]', re.DOTALL)
# What is left of a surrogate pair once JSON is read is a lone half: it cannot be written as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Where a surrogate can come from in a JSON body: an escape, \uD800 to \uDFFF, or the bytes UTF-8 would have for
# one (ED A0..BF ..), which are not UTF-8 but which Python's JSON reader lets through. A body with neither parses
# without any, and needs no cleaning.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def json_too_deep(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit`: one pass over the raw body, no parsing."""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKENS.finditer(body):
        if token.lastindex:  # an opening bracket
            depth += 1
            if depth > limit:
                return True
        elif token.end() - token.start() == 1 and body[token.start()] in b"]}":
            depth -= 1
    return False


def clean_text(value: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD, the replacement character."""
    return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value


def clean_json(value: Any) -> Any:
    """A parsed JSON value with lone surrogates replaced in every string, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_json(item) for key, item in value.items()}
    return value


class CleaningJSONProvider(DefaultJSONProvider):
    """Every JSON body the app reads: refused past MAX_JSON_DEPTH levels (400), lone surrogates replaced, so nothing
    stored can make a page fail when it is written out as UTF-8."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if json_too_deep(s):
            abort(400, _("What you sent is nested too deeply (at most %(levels)d levels).", levels=MAX_JSON_DEPTH))
        value = super().loads(s, **kwargs)
        if isinstance(s, bytes | bytearray) and _SURROGATE_ESCAPE.search(s) is None:
            return value
        return clean_json(value)
