"""Weak passwords are refused everywhere a password is set, with a clear reason (NIST SP 800-63B 5.1.1.2)."""
from __future__ import annotations

import re

import pytest

from app.auth.models import PasswordToken, User, user_by_email
from app.auth.services import issue_password_token
from app.db import db
from tests.conftest import login, outbox, post
from tests.factories import PASSWORD, CohortFactory, UserFactory

COMMON = "one of the most common passwords"
PATTERN = "a sequence or a repeated pattern"
PERSONAL = "must not contain your name or your e-mail address"

# password -> the reason it is refused, for Nora Ny <nora.ny@example.org>
WEAK = {
    "123456789012": PATTERN,
    "password1234": COMMON,
    "Password1234!": COMMON,
    "demo-password": COMMON,
    "careplan2026!!": COMMON,
    "passwordpassword": COMMON,
    "abcabcabcabcabc": PATTERN,
    "nora.ny@example.org": PERSONAL,
    "NORA is my name ok": PERSONAL,
}
GOOD = [PASSWORD, "a long enough pass", "a good long password", "a brand new password", "the new password!",
        "another long password", "a long new password", "x8k2m9q4z7w1", "830194726451", "Hilde's dog Luna ate my plan"]


def _problem(app, password, email="nora.ny@example.org", name="Nora Ny"):
    from app.auth.services import password_problem

    with app.test_request_context():
        return password_problem(password, email=email, name=name)


@pytest.mark.parametrize("password,reason", WEAK.items())
def test_weak_passwords_are_refused_with_their_reason(app, password, reason):
    problem = _problem(app, password)
    assert problem and reason in problem


@pytest.mark.parametrize("password", GOOD)
def test_passwords_used_in_the_tests_and_sentences_pass(app, password):
    assert _problem(app, password) is None


def test_the_common_list_is_bundled_with_its_licence(app):
    from app.auth.passwords import COMMON_PASSWORDS_FILE, common_passwords

    head = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")[:2000]
    assert "MIT License" in head and "zxcvbn" in head
    assert len(common_passwords()) == 30000 and "password1234" in common_passwords()


def _register(client, password, email="nora.ny@example.org"):
    cohort = CohortFactory()
    return post(client, "/join", {"join_code": cohort.join_code, "name": "Nora Ny", "email": email,
                                  "password": password, "confirm": password})


@pytest.mark.parametrize("password", ["123456789012", "password1234", "demo-password", "nora.ny@example.org"])
def test_joining_with_a_weak_password_is_refused_and_creates_nothing(client, password):
    response = _register(client, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'aria-invalid="true"' in html
    assert re.search(f"{COMMON}|{PATTERN}|{PERSONAL}", html)
    assert user_by_email("nora.ny@example.org") is None and outbox() == []


def test_joining_with_a_weak_password_is_refused_in_norwegian(client):
    client.set_cookie("locale", "nb")
    post(client, "/locale", {"locale": "nb", "next": "/"})
    html = _register(client, "password1234").get_data(as_text=True)
    assert "vanligste passordene" in html


@pytest.mark.parametrize("password", ["123456789012", "password1234", "demo-password", "sara@example.org"])
def test_changing_to_a_weak_password_is_refused(client, password):
    UserFactory(email="sara@example.org", name="Sara Sol")
    login(client, "sara@example.org")
    html = post(client, "/account", {"current": PASSWORD, "password": password, "confirm": password}).get_data(as_text=True)
    assert re.search(f"{COMMON}|{PATTERN}|{PERSONAL}", html)
    assert login(client, "sara@example.org").status_code == 302  # the old password still works


@pytest.mark.parametrize("password", ["123456789012", "password1234", "demo-password", "sara@example.org"])
def test_resetting_to_a_weak_password_is_refused_and_the_link_keeps_working(app, client, password):
    user = UserFactory(email="sara@example.org", name="Sara Sol")
    token = issue_password_token(user)
    db.session.commit()
    link = f"/password/reset/{token}"
    html = post(client, link, {"password": password, "confirm": password}).get_data(as_text=True)
    assert re.search(f"{COMMON}|{PATTERN}|{PERSONAL}", html)
    assert db.session.scalar(db.select(PasswordToken.used_at)) is None
    assert client.get(link).status_code == 200


@pytest.mark.parametrize("password", ["123456789012", "password1234", "demo-password", "ola.nordmann@example.org"])
def test_the_command_line_refuses_a_weak_password(app, password):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "ola.nordmann@example.org", "--name", "Ola Nordmann",
                                 "--password-stdin"],
                           input=password + "\n")
    assert result.exit_code != 0
    assert re.search(f"{COMMON}|{PATTERN}|{PERSONAL}", result.output)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
