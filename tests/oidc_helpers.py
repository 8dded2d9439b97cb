"""Signing in through the mock provider with a test client, step by step as a browser would."""
from __future__ import annotations

from urllib.parse import quote

import requests

from app.db import db
from app.oidc.models import Identity

BASE = "http://127.0.0.1:5000"  # BASE_URL in the tests: where the provider sends the browser back


def provider_user(provider: str, sub: str, **claims) -> None:
    response = requests.put(f"{provider}/users/{quote(sub, safe='')}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


def to_provider(client, start: str = "/login/oidc"):
    """Start at the app: the answer sends the browser to the provider's authorization page."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(authorize_url: str, sub: str | None = None, *, deny: bool = False) -> str:
    """The person signs in (or refuses) at the provider; returns the app's path the browser is sent back to."""
    data = {"action": "deny"} if deny else {"sub": sub}
    response = requests.post(authorize_url, data=data, allow_redirects=False, timeout=5)
    assert response.status_code in (302, 303), response.text
    location = response.headers["Location"]
    assert location.startswith(BASE), location
    return location[len(BASE):]


def sign_in_with_provider(client, provider: str, sub: str, *, start: str = "/login/oidc", **claims):
    if claims:
        provider_user(provider, sub, **claims)
    return client.get(at_provider(to_provider(client, start), sub))


def identities() -> list[Identity]:
    return list(db.session.scalars(db.select(Identity).order_by(Identity.id)))
