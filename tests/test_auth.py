from __future__ import annotations

import re
from datetime import timedelta

from app.auth.models import PasswordToken, User, user_by_email
from app.cohorts.models import Membership, Role
from app.db import db, utcnow
from tests.conftest import csrf_token, login, outbox, post
from tests.factories import PASSWORD, CohortFactory, UserFactory


def register(client, code, email="new@example.org", name="Nora Ny", password="a long enough pass", confirm=None):
    return post(client, "/join", {"join_code": code, "name": name, "email": email, "password": password,
                                  "confirm": confirm if confirm is not None else password})


def test_landing_page_says_what_the_app_is(client):
    html = client.get("/").get_data(as_text=True)
    assert "Care Plan Lab" in html
    assert "individual care plan" in html
    assert 'href="/login"' in html


def test_register_with_good_join_code_creates_student_who_then_signs_in(client):
    cohort = CohortFactory()
    response = register(client, cohort.join_code.lower())
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    user = user_by_email("new@example.org")
    assert user is not None and user.name == "Nora Ny"
    member = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
    assert member.cohort_id == cohort.id and member.role == Role.student
    assert "Welcome to Care Plan Lab" in outbox("new@example.org")[0].subject
    assert login(client, "new@example.org", "a long enough pass").status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Welcome, Nora Ny" in home and cohort.name in home


def test_register_with_bad_join_code_keeps_input_and_explains(client):
    CohortFactory()
    response = register(client, "NOPE1234")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "join code is not valid" in html
    assert 'value="new@example.org"' in html and 'value="Nora Ny"' in html
    assert "a long enough pass" not in html  # passwords are never echoed
    assert user_by_email("new@example.org") is None


def test_register_with_an_address_that_has_an_account_creates_nothing_and_tells_its_owner(client):
    cohort = CohortFactory()
    UserFactory(email="taken@example.org")
    html = register(client, cohort.join_code, email="Taken@Example.org").get_data(as_text=True)
    assert "Check your e-mail" in html and "already exists" not in html
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert "already have an account" in outbox("taken@example.org")[0].body


def test_register_with_weak_password_is_refused(client):
    cohort = CohortFactory()
    html = register(client, cohort.join_code, password="short", confirm="short").get_data(as_text=True)
    assert "at least 12 characters" in html
    assert 'aria-invalid="true"' in html
    assert user_by_email("new@example.org") is None


def test_register_with_mismatched_passwords_is_refused(client):
    cohort = CohortFactory()
    html = register(client, cohort.join_code, confirm="another long password").get_data(as_text=True)
    assert "not the same" in html
    assert user_by_email("new@example.org") is None


def test_signed_in_user_joins_another_cohort_with_a_code(client):
    user = UserFactory()
    cohort = CohortFactory()
    login(client, user.email)
    response = post(client, "/join", {"join_code": cohort.join_code})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Membership).where(Membership.user_id == user.id)).cohort_id == cohort.id


def test_login_and_logout(client):
    user = UserFactory(email="sara@example.org")
    response = login(client, "SARA@example.org", PASSWORD)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    assert "Sign out" in client.get("/").get_data(as_text=True)
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/cohorts/").status_code == 302  # back to the login page
    assert "Sign in" in client.get("/").get_data(as_text=True)
    assert user.id


def test_wrong_password_gives_a_generic_message(client):
    UserFactory(email="sara@example.org")
    wrong_password = login(client, "sara@example.org", "not the password").get_data(as_text=True)
    unknown_email = login(client, "nobody@example.org", "not the password").get_data(as_text=True)
    message = "The e-mail address or the password is not correct."
    assert message in wrong_password and message in unknown_email


def test_login_redirects_to_next_but_never_off_site(client):
    UserFactory(email="sara@example.org")
    token = csrf_token(client)
    response = client.post("/login", data={"email": "sara@example.org", "password": PASSWORD, "csrf_token": token,
                                           "next": "https://evil.example/steal"})
    assert response.headers["Location"] == "/"
    post(client, "/logout")
    token = csrf_token(client)
    response = client.post("/login", data={"email": "sara@example.org", "password": PASSWORD, "csrf_token": token,
                                           "next": "/account"})
    assert response.headers["Location"] == "/account"


def test_login_is_rate_limited_with_a_clear_page(client):
    UserFactory(email="sara@example.org")
    token = csrf_token(client)
    statuses = []
    for _ in range(12):
        statuses.append(client.post("/login", data={"email": "sara@example.org", "password": "wrong password!",
                                                    "csrf_token": token}).status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    page = client.post("/login", data={"email": "sara@example.org", "password": PASSWORD, "csrf_token": token})
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_login_limit_also_counts_per_account_across_addresses(make_client):
    UserFactory(email="sara@example.org")
    statuses = []
    for i in range(21):  # LOGIN_ACCOUNT_RATE_LIMIT: twenty failures a minute for one account, from anywhere
        c = make_client()
        token = csrf_token(c)
        statuses.append(c.post("/login", data={"email": "sara@example.org", "password": "wrong password!",
                                               "csrf_token": token},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"}).status_code)
    assert statuses[-1] == 429


def test_missing_csrf_token_is_refused(client):
    UserFactory(email="sara@example.org")
    response = client.post("/login", data={"email": "sara@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def _reset_link(email):
    body = outbox(email)[-1].body
    return re.search(r"http://[^/\s]+(/password/reset/\S+)", body).group(1)


def test_password_reset_works_once(client, make_client):
    UserFactory(email="sara@example.org")
    response = post(client, "/password/forgot", {"email": "sara@example.org"})
    assert "Check your e-mail" in response.get_data(as_text=True)
    link = _reset_link("sara@example.org")
    assert client.get(link).status_code == 200
    response = post(client, link, {"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert client.get(link).status_code == 410
    other = make_client()
    assert login(other, "sara@example.org", "a brand new password").status_code == 302
    assert login(make_client(), "sara@example.org", PASSWORD).status_code == 200  # old one no longer works


def test_password_reset_link_expires(client):
    UserFactory(email="sara@example.org")
    post(client, "/password/forgot", {"email": "sara@example.org"})
    link = _reset_link("sara@example.org")
    token = db.session.scalar(db.select(PasswordToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_password_reset_does_not_reveal_accounts(client):
    known = post(client, "/password/forgot", {"email": "nobody@example.org"}).get_data(as_text=True)
    assert "If an account with the address nobody@example.org exists" in known
    assert outbox() == []


def test_change_password(client, make_client):
    user = UserFactory(email="sara@example.org")
    other_device = make_client()
    login(other_device, user.email)
    login(client, user.email)
    wrong = post(client, "/account", {"current": "not it at all", "password": "the new password!",
                                      "confirm": "the new password!"})
    assert "current password is not correct" in wrong.get_data(as_text=True)
    ok = post(client, "/account", {"current": PASSWORD, "password": "the new password!",
                                   "confirm": "the new password!"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays signed in
    assert other_device.get("/account").status_code == 302  # the other one is signed out


def test_logout_ends_the_session_cookie(client, make_client):
    user = UserFactory(email="sara@example.org")
    login(client, user.email)
    stolen = client.get_cookie("session").value
    post(client, "/logout")
    replay = make_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302


def test_session_is_renewed_at_login(client):
    UserFactory(email="sara@example.org")
    client.get("/")
    before_token = csrf_token(client)
    login(client, "sara@example.org")
    assert csrf_token(client) != before_token
