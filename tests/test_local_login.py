"""LOCAL_LOGIN: "on" (password sign-in and joining with a code), "invited-only" (no new accounts with a join code;
password sign-in for the accounts there are and those made from an invitation) and "off" (the provider only)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from app import create_app
from app.auth.models import user_by_email
from app.cohorts import invitations
from app.cohorts.models import Role
from app.db import db
from tests.conftest import login, outbox, post
from tests.factories import CohortFactory, UserFactory, member
from tests.test_invitations import NEW_PASSWORD, invitation_link


@pytest.fixture
def local_login(app):
    def set_mode(mode: str):
        app.config["LOCAL_LOGIN"] = mode

    yield set_mode
    app.config["LOCAL_LOGIN"] = "on"


def _register(client, code):
    return post(client, "/join", {"join_code": code, "name": "Nora Ny", "email": "nora@example.org",
                                  "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def test_an_unknown_mode_stops_the_app_from_starting():
    with pytest.raises(RuntimeError, match="LOCAL_LOGIN"):
        create_app("testing", LOCAL_LOGIN="sometimes")


def test_on_is_todays_behaviour(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="password"' in page and "Join a cohort with the code" in page
    assert _register(client, CohortFactory().join_code).status_code == 200
    assert user_by_email("nora@example.org") is not None


def test_invited_only_closes_joining_with_a_code_but_not_password_sign_in(make_client, local_login):
    local_login("invited-only")
    cohort = CohortFactory()
    browser = make_client()
    page = browser.get("/login").get_data(as_text=True)
    assert 'name="password"' in page and "New accounts are made by invitation" in page
    assert "Join a cohort with the code" not in page
    assert "by invitation" in browser.get("/join").get_data(as_text=True)
    assert _register(browser, cohort.join_code).status_code == 403
    assert user_by_email("nora@example.org") is None and outbox() == []

    existing = UserFactory()
    assert login(browser, existing.email).status_code == 302
    # Someone signed in still joins with a code.
    assert post(browser, "/join", {"join_code": cohort.join_code}).status_code == 302

    leader_client = make_client()
    login(leader_client, member(cohort, Role.leader).email)
    post(leader_client, f"/cohorts/{cohort.id}/invitations", {"email": "invited@example.org", "role": "instructor"})
    guest = make_client()
    path = invitation_link("invited@example.org")
    assert post(guest, path, {"name": "Ina", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert login(make_client(), "invited@example.org", NEW_PASSWORD).status_code == 302


def test_off_leaves_only_the_provider(make_client, local_login, provider):
    local_login("off")
    user = UserFactory()
    browser = make_client()
    page = browser.get("/login").get_data(as_text=True)
    assert 'name="password"' not in page and "Sign in with Feide" in page and "Forgot your password" not in page
    assert login(browser, user.email).status_code == 403
    assert "Welcome" not in browser.get("/").get_data(as_text=True)
    assert browser.get("/password/forgot").status_code == 404
    assert post(browser, "/password/forgot", {"email": user.email}).status_code == 404 and outbox() == []
    assert _register(browser, CohortFactory().join_code).status_code == 403

    cohort = CohortFactory()
    invitations.invite(cohort, "invited@example.org", Role.instructor, actor=member(cohort, Role.leader))
    db.session.commit()
    invite_page = make_client().get(invitation_link("invited@example.org")).get_data(as_text=True)
    assert 'name="password"' not in invite_page and "Sign in with Feide" in invite_page


def test_off_without_a_provider_says_signing_in_is_not_set_up(client, local_login):
    local_login("off")
    assert "not set up" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("variable", ["OIDC_DISCOVERY_URL", "FEIDE_DISCOVERY_URL"])
def test_the_providers_discovery_url_is_read_from_the_documented_setting(variable):
    """A school outside Norway points the sign-in at its own provider with OIDC_DISCOVERY_URL (or the older name)."""
    url = "https://login.example.edu/.well-known/openid-configuration"
    env = {"PATH": "/usr/bin:/bin", variable: url}
    shown = subprocess.run([sys.executable, "-c", "import config; print(config.Config.OIDC_DISCOVERY_URL)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert shown == url
