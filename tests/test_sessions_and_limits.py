"""Cookie flags, session renewal and invalidation, and rate limits on the endpoints people attack."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import create_app
from tests.conftest import csrf_token, login, post
from tests.factories import CohortFactory, UserFactory


def test_session_cookie_flags_in_production(monkeypatch, app):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    prod = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
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
    assert statuses == [200] * 10 + [429] * 2  # ten an address and minute (SENSITIVE_RATE_LIMIT), each counted once


def test_join_attempts_are_rate_limited(client):
    CohortFactory()
    csrf = csrf_token(client)
    statuses = [client.post("/join", data={"join_code": f"GUESS{i:03d}", "name": "x", "email": f"x{i}@example.org",
                                           "password": "a long enough pass", "confirm": "a long enough pass",
                                           "csrf_token": csrf}).status_code for i in range(12)]
    assert statuses == [200] * 10 + [429] * 2
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


def _session_cookie(response) -> str | None:
    return next((value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")), None)


def test_the_session_slides_with_use_without_a_new_cookie_on_every_page(app, client, monkeypatch):
    user = UserFactory()
    assert _session_cookie(login(client, user.email)) is not None
    client.get("/")  # the first page after signing in adds the new session's CSRF token
    # Pages read after that would move the expiry by seconds: the cookie is not issued again for that.
    for _ in range(3):
        response = client.get("/plans")
        assert response.status_code == 200 and _session_cookie(response) is None
    # Once the refresh interval has passed, the next page re-issues it with the expiry moved forward.
    monkeypatch.setitem(app.config, "SESSION_REFRESH_AFTER", timedelta(0))
    renewed = _session_cookie(client.get("/"))
    assert renewed is not None and "Expires=" in renewed
    # A change to the session is always sent, whatever the interval.
    monkeypatch.setitem(app.config, "SESSION_REFRESH_AFTER", timedelta(hours=1))
    assert _session_cookie(post(client, "/locale", data={"locale": "nb", "next": "/"})) is not None
    assert _session_cookie(post(client, "/logout")) is not None
    assert client.get("/plans").status_code == 302


def test_a_session_past_its_lifetime_is_not_accepted(app, client, monkeypatch):
    user = UserFactory()
    login(client, user.email)
    assert client.get("/plans").status_code == 200
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=-1))
    assert client.get("/plans").status_code == 302


def _form_tokens(html: str) -> list[str]:
    """The CSRF token of the page (its meta tag) and of each form that posts, in order; None for a form without."""
    tokens = [re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)]
    for form in re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', html, flags=re.S):
        field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', form)
        tokens.append(field and re.search(r'value="([^"]+)"', field.group(0)).group(1))
    return tokens


def test_every_page_and_form_carries_a_csrf_token_that_works_for_that_session_only(app, make_client):
    user, other = UserFactory(), UserFactory()
    mine, theirs = make_client(), make_client()
    login(mine, user.email)
    login(theirs, other.email)

    def works(client, token) -> bool:
        return client.post("/locale", data={"locale": "en", "next": "/", "csrf_token": token}).status_code == 302

    # The first page after signing in, and every page after: the page and each of its forms carry a token that works.
    first = _form_tokens(mine.get("/account").get_data(as_text=True))
    assert len(first) >= 4 and None not in first  # the page, the language menu, signing out, the password form
    assert all(works(mine, token) for token in first)
    for url in ("/", "/plans", "/cohorts/", "/notifications/"):
        assert all(works(mine, token) for token in _form_tokens(mine.get(url).get_data(as_text=True)))
    # A page left open for a minute, or read a minute later: its tokens still work (they live as long as the session).
    from itsdangerous.timed import TimestampSigner

    later = TimestampSigner.get_timestamp(TimestampSigner("k")) + 60
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(TimestampSigner, "get_timestamp", lambda self: later)
        assert all(works(mine, token) for token in first)
        assert all(works(mine, token) for token in _form_tokens(mine.get("/account").get_data(as_text=True)))
    # Another person's token is refused, and so is a forged one.
    assert not works(theirs, first[0])
    assert not works(mine, first[0][:-2] + "xx")


# --- sign-in throttling counts failures, per address and per account -------------------------------------------

def _sign_in(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address})


def test_a_correct_password_from_another_address_is_not_locked_out_by_failures_elsewhere(make_client):
    UserFactory(email="sara@example.org")
    attacker = make_client()
    statuses = [_sign_in(attacker, "sara@example.org", "wrong password!", "203.0.113.9").status_code
                for _ in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    owner = make_client()
    assert _sign_in(owner, "sara@example.org", "correct horse battery", "198.51.100.7").status_code == 302


def test_successful_sign_ins_do_not_count_toward_the_limits(make_client):
    UserFactory(email="sara@example.org")
    UserFactory(email="ola@example.org")
    for _ in range(12):  # a classroom behind one address, everybody signing in (and a few more times)
        assert _sign_in(make_client(), "sara@example.org", "correct horse battery", "192.0.2.1").status_code == 302
        assert _sign_in(make_client(), "ola@example.org", "correct horse battery", "192.0.2.1").status_code == 302
    client = make_client()
    statuses = [_sign_in(client, "sara@example.org", "wrong password!", "192.0.2.1").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]  # failures still count, all ten of them


def test_failures_for_one_account_from_many_addresses_meet_the_account_limit(app, make_client, monkeypatch):
    assert app.config["LOGIN_ACCOUNT_RATE_LIMIT"] == "20 per minute"
    UserFactory(email="sara@example.org")
    statuses = [_sign_in(make_client(), "sara@example.org", "wrong password!", f"10.0.1.{i}").status_code
                for i in range(21)]
    assert statuses == [200] * 20 + [429]
    assert "Too many attempts" in _sign_in(make_client(), "sara@example.org", "wrong password!", "10.0.2.1") \
        .get_data(as_text=True)
    # other accounts are not touched
    UserFactory(email="ola@example.org")
    assert _sign_in(make_client(), "ola@example.org", "correct horse battery", "10.0.1.1").status_code == 302


def test_the_account_limit_is_a_setting(app, make_client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    UserFactory(email="sara@example.org")
    statuses = [_sign_in(make_client(), "sara@example.org", "wrong password!", f"10.0.3.{i}").status_code
                for i in range(4)]
    assert statuses == [200] * 3 + [429]


def test_the_per_address_limit_counts_failures_for_every_account(make_client):
    client = make_client()
    statuses = [_sign_in(client, f"person{i}@example.org", "wrong password!", "203.0.113.50").status_code
                for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_the_current_password_check_on_the_account_page_is_limited(client):
    UserFactory(email="sara@example.org")
    login(client, "sara@example.org")
    statuses = [post(client, "/account", {"current": f"guess number {i}", "password": "the new password!",
                                          "confirm": "the new password!"}).status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]
    assert "Too many attempts" in post(client, "/account", {"current": "correct horse battery",
                                                            "password": "the new password!",
                                                            "confirm": "the new password!"}).get_data(as_text=True)


def test_nothing_personal_is_kept_in_a_cache_only_static_files_may_be(app, client):
    """A shared computer's browser or a proxy must not keep a plan, its PDF, an account's data or a JSON answer."""
    from tests.plan_helpers import World

    world = World()
    world.write()
    login(client, world.owner.email)
    token = csrf_token(client)
    plan = world.plan.id
    answers = {url: client.get(url) for url in (
        f"/plans/{plan}", f"/plans/{plan}/pdf", f"/plans/{plan}/print", "/account/data", "/healthz", "/plans",
        "/notifications")}
    answers["POST /language/check"] = client.post("/language/check", json={"text": "addict", "lang": "en"},
                                                  headers={"X-CSRFToken": token})
    answers["redirect"] = client.get("/login")
    answers["not found"] = client.get("/plans/999999")
    for url, response in answers.items():
        assert response.status_code < 500, url
        assert "no-store" in response.headers.get("Cache-Control", ""), (url, response.mimetype)
    with client.get("/static/favicon.svg") as static:
        assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
