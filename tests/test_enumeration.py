"""Nobody can find out whether an e-mail address has an account: sign-in, password reset and joining answer alike,
in what they say and (within a generous factor) in how long they take."""
from __future__ import annotations

import re
import statistics
import time

import pytest

from app.auth.models import User, user_by_email
from app.cohorts.models import Membership
from app.db import db
from app.extensions import limiter
from tests.conftest import csrf_token, outbox, post
from tests.factories import CohortFactory, UserFactory

# A real cost for a password check, as in production (the tests otherwise use a very cheap hash).
SLOW_HASH = "pbkdf2:sha256:150000"
FACTOR = 3


@pytest.fixture
def no_limits():
    limiter.enabled = False
    yield
    limiter.enabled = True


def _median_seconds(make_request, times=5) -> float:
    make_request()  # the first request of a kind warms templates and caches
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        make_request()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def _page_text(response, *emails: str) -> str:
    """What a reader sees, with the address they typed and the page's own CSRF tokens left out."""
    text = response.get_data(as_text=True)
    for email in emails:
        text = text.replace(email, "EMAIL")
    return re.sub(r'(name="csrf[-_]token" (?:content|value)=|value=)"[^"]*"', r'\1""', text)


def test_signing_in_with_an_unknown_address_takes_as_long_as_with_a_wrong_password(app, client, monkeypatch,
                                                                                   no_limits):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", SLOW_HASH)
    UserFactory(email="sara@example.org")
    token = csrf_token(client)

    def attempt(email):
        return lambda: client.post("/login", data={"email": email, "password": "not the password at all",
                                                   "csrf_token": token})

    known = _median_seconds(attempt("sara@example.org"))
    unknown = _median_seconds(attempt("nobody@example.org"))
    assert known > 0.01  # the slow hash is in use
    assert unknown * FACTOR > known and known * FACTOR > unknown, (known, unknown)
    assert _page_text(attempt("sara@example.org")(), "sara@example.org") == \
        _page_text(attempt("nobody@example.org")(), "nobody@example.org")


def test_an_account_without_a_password_yet_answers_like_any_other(app, client, monkeypatch, no_limits):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", SLOW_HASH)
    invited = UserFactory(email="invited@example.org")
    invited.password_hash = None
    db.session.commit()
    UserFactory(email="sara@example.org")
    token = csrf_token(client)

    def attempt(email):
        return lambda: client.post("/login", data={"email": email, "password": "not the password at all",
                                                   "csrf_token": token})

    known, invited_time = _median_seconds(attempt("sara@example.org")), _median_seconds(attempt("invited@example.org"))
    assert invited_time * FACTOR > known, (known, invited_time)


@pytest.fixture
def slow_mail_server(app, monkeypatch):
    """An SMTP server that takes a while to accept a message, as real ones do."""
    from app.mail import services as mail_services

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(mail_services, "_send_smtp", lambda message: time.sleep(0.06))


def test_password_reset_answers_alike_in_words_and_time(app, client, slow_mail_server, no_limits):
    UserFactory(email="sara@example.org")

    def ask(email):
        return lambda: post(client, "/password/forgot", {"email": email})

    assert _page_text(ask("sara@example.org")(), "sara@example.org") == \
        _page_text(ask("nobody@example.org")(), "nobody@example.org")
    known, unknown = _median_seconds(ask("sara@example.org")), _median_seconds(ask("nobody@example.org"))
    assert unknown * FACTOR > known and known * FACTOR > unknown, (known, unknown)
    assert outbox("sara@example.org") and not outbox("nobody@example.org")


def _join(client, cohort, email, name="Nora Ny"):
    return post(client, "/join", {"join_code": cohort.join_code, "name": name, "email": email,
                                  "password": "a long enough pass", "confirm": "a long enough pass"})


def test_joining_answers_check_your_email_whether_or_not_the_address_has_an_account(app, make_client):
    cohort = CohortFactory(name="MED3100 autumn")
    existing = UserFactory(email="taken@example.org", name="Tora Taken")
    new_page = _join(make_client(), cohort, "new@example.org")
    taken_page = _join(make_client(), cohort, "Taken@Example.org")
    assert new_page.status_code == taken_page.status_code == 200
    assert "Check your e-mail" in new_page.get_data(as_text=True)
    assert "already exists" not in taken_page.get_data(as_text=True)
    assert _page_text(new_page, "new@example.org") == _page_text(taken_page, "Taken@Example.org")
    # the new person has an account in the cohort and a welcome e-mail; they sign in with the password they chose
    user = user_by_email("new@example.org")
    assert db.session.scalar(db.select(Membership.cohort_id).where(Membership.user_id == user.id)) == cohort.id
    welcome = outbox("new@example.org")
    assert len(welcome) == 1 and "MED3100 autumn" in welcome[0].body and "/login" in welcome[0].body
    # the person who had an account is told so by e-mail, with how to join; nothing about them changed
    notice = outbox("taken@example.org")
    assert len(notice) == 1 and "already have an account" in notice[0].body and cohort.join_code in notice[0].body
    assert "/password/forgot" in notice[0].body
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
    assert db.session.scalar(db.select(Membership).where(Membership.user_id == existing.id)) is None
    assert existing.check_password("correct horse battery")


def test_joining_takes_as_long_for_an_address_with_an_account(app, make_client, monkeypatch, no_limits):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", SLOW_HASH)
    cohort = CohortFactory()
    UserFactory(email="taken@example.org")
    client = make_client()
    counter = iter(range(100))
    known = _median_seconds(lambda: _join(client, cohort, "taken@example.org"))
    unknown = _median_seconds(lambda: _join(client, cohort, f"new{next(counter)}@example.org"))
    assert unknown * FACTOR > known and known * FACTOR > unknown, (known, unknown)
