"""Cookie flags, session renewal and invalidation, and rate limits on the endpoints people attack."""
from __future__ import annotations

from app import create_app
from tests.conftest import csrf_token, login, post
from tests.factories import CohortFactory, UserFactory


def test_session_cookie_flags_in_production(monkeypatch, app):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    prod = create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    client = prod.test_client()
    response = client.get("/login")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_development_cookie_is_httponly_and_lax(client):
    cookie = client.get("/login").headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_reset_requests_are_rate_limited(client):
    csrf = csrf_token(client)
    statuses = [client.post("/password/forgot", data={"email": "someone@example.org", "csrf_token": csrf}).status_code
                for _ in range(12)]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_join_attempts_are_rate_limited(client):
    CohortFactory()
    csrf = csrf_token(client)
    statuses = [client.post("/join", data={"join_code": f"GUESS{i:03d}", "name": "x", "email": f"x{i}@example.org",
                                           "password": "a long enough pass", "confirm": "a long enough pass",
                                           "csrf_token": csrf}).status_code for i in range(12)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert "Too many attempts" in client.post("/join", data={"join_code": "X", "csrf_token": csrf}).get_data(as_text=True)


def test_reset_link_attempts_are_rate_limited(client):
    csrf = csrf_token(client)
    statuses = [client.post("/password/reset/not-a-real-token", data={"password": "x", "confirm": "x",
                                                                       "csrf_token": csrf}).status_code
                for _ in range(12)]
    assert statuses[-1] == 429


def test_a_session_from_before_login_is_not_kept(client):
    user = UserFactory()
    client.get("/")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_csrf_is_required_for_json_too(client):
    user = UserFactory()
    login(client, user.email)
    assert client.post("/language/check", json={"text": "x", "lang": "en"}).status_code == 400
    assert post(client, "/logout").status_code == 302
