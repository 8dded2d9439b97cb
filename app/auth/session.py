"""The signed-cookie session, with a lifetime that slides with use (PERMANENT_SESSION_LIFETIME after the last
visit), re-issued when its contents change, or when only its expiry would move, at most once per
SESSION_REFRESH_AFTER instead of on every response: signing and compressing a cookie for every page costs as much
as a database query, and the expiry moves by a minute at most."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class SlidingSession(SecureCookieSession):
    issued_at: datetime | None = None  # when the cookie it was read from was signed; None for a new session


class SlidingSessionInterface(SecureCookieSessionInterface):
    session_class = SlidingSession

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, issued_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.issued_at = issued_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        issued_at = getattr(session, "issued_at", None)
        return issued_at is None or datetime.now(UTC) - issued_at >= app.config["SESSION_REFRESH_AFTER"]

    # A session begun by an LTI launch (app/lti/views.py marks it) lives in the learning platform's frame: the
    # browser sends its cookie there only as SameSite=None; Secure, and keeps it where third-party cookies are
    # blocked only when it is Partitioned (one cookie per platform site). Forms still need their CSRF token.
    def save_session(self, app, session, response) -> None:
        g.lti_framed_session = bool(session.get("lti_framed")) and app.config.get("LTI_FRAME_COOKIES", False)
        super().save_session(app, session, response)

    def get_cookie_samesite(self, app):
        return "None" if g.get("lti_framed_session") else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app) -> bool:
        return True if g.get("lti_framed_session") else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app) -> bool:
        return True if g.get("lti_framed_session") else super().get_cookie_partitioned(app)
