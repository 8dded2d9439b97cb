"""What every response carries and every request is checked for: the security headers, and no NUL characters."""
from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import gettext as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security(app: Flask) -> None:
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
