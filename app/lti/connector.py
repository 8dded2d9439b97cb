"""The tool's client for a platform's services (names and roles, assignments and grades): an OAuth 2
client-credentials token, asked for with a JWT the tool signs, kept for the length of one task."""
from __future__ import annotations

import time

import requests
from flask import current_app
from pylti1p3.service_connector import ServiceConnector

from app.lti.models import LtiPlatform
from app.lti.tool import registration_for

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


class _TimedSession(requests.Session):
    """Every request to a platform has a timeout, so that one slow platform cannot hold a worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = "CarePlanLab-LTI"

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class Connector(ServiceConnector):
    """Tokens are kept in this object only: one per scope set while a task talks to one platform."""

    def __init__(self, platform: LtiPlatform):
        registration = registration_for(platform)
        super().__init__(registration, _TimedSession(current_app.config["LTI_SERVICE_TIMEOUT"]))
        self._tokens: dict[str, tuple[str, float]] = {}

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        token, until = self._tokens.get(scope_key, ("", 0.0))
        return token if token and until > time.monotonic() else None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        # A token without a lifetime is used for this task only; one with a lifetime until a minute before it ends.
        lifetime = float(expires_in or 300) - 60
        self._tokens[scope_key] = (access_token, time.monotonic() + max(lifetime, 0))


def describe_failure(exc: Exception) -> str:
    """What went wrong, in words a course leader can pass on to the platform's administrator."""
    response = getattr(exc, "response", None)
    if response is None and exc.args and isinstance(exc.args[-1], requests.Response):
        response = exc.args[-1]
    if isinstance(response, requests.Response):
        body = (response.text or "").strip().replace("\n", " ")
        return f"HTTP {response.status_code} from {response.url}: {body[:300]}".strip()
    return f"{type(exc).__name__}: {exc}"[:500]
