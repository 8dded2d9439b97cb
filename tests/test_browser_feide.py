"""In a real browser, through the real pages: a course leader invites an instructor, who accepts by signing in
at the OpenID Connect provider (oidc-provider-mock); someone with a local account links it with their password; a
refusal at the provider ends on a clear page; the course leader maps a course group. axe checks every new page."""
from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
import requests

from app.cohorts.models import Membership, Role
from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.conftest import outbox
from tests.factories import CohortFactory, UserFactory, member

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, name), full_page=True)


@pytest.fixture
def served_provider(app, provider, live_server):
    """The provider sends the browser back to the live server: BASE_URL is its address for this test."""
    before = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server
    yield provider
    app.config["BASE_URL"] = before


def at_provider(page, sub):
    page.wait_for_url(lambda url: "/oauth2/authorize" in url)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_an_invited_instructor_accepts_with_the_provider(page, browser, live_server, served_provider):
    cohort = CohortFactory(name="MED4500 spring")
    leader = member(cohort, Role.leader)
    requests.put(f"{served_provider}/users/{quote('sub-liv')}", timeout=5,
                 json={"email": "liv@uni.example", "name": "Liv Erfaring"})

    sign_in(page, leader.email)
    page.goto(f"/cohorts/{cohort.id}")
    form = page.locator("form[action$='/invitations']")
    form.get_by_label("E-mail").fill("liv@example.org")
    form.get_by_label("Name (optional)").fill("Liv Erfaring")
    form.get_by_label("Role").select_option("instructor")
    form.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(lambda url: url.endswith("#invitations"))
    row = page.locator("#invitation-list tr", has_text="liv@example.org")
    assert "pending" in row.inner_text()
    assert_no_serious_violations(page)
    shot(page, "cohort-invitations.png")
    page.goto(f"/cohorts/{cohort.id}/groups")
    page.get_by_label("Group id").fill("fs:fc:emne:uio.no:MED4500:1")
    page.get_by_role("button", name="Map the group").click()
    assert page.locator("table code", has_text="fs:fc:emne:uio.no:MED4500:1").is_visible()
    assert_no_serious_violations(page)
    shot(page, "groups.png")

    link = re.search(r"http\S+/invitations/\S+", outbox("liv@example.org")[-1].body).group(0)
    guest = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    try:
        guest.goto(link)
        assert guest.get_by_role("heading", name="Join MED4500 spring").is_visible()
        assert guest.get_by_label("Your name").input_value() == "Liv Erfaring"
        assert_no_serious_violations(guest)
        shot(guest, "invitation-accept.png")
        guest.get_by_role("link", name="Sign in with Feide").click()
        at_provider(guest, "sub-liv")
        guest.wait_for_url(lambda url: "/invitations/" in url)
        assert_no_serious_violations(guest)
        shot(guest, "invitation-accept-signed-in.png")
        guest.get_by_role("button", name="Accept the invitation").click()
        guest.wait_for_url(lambda url: url.endswith(f"/cohorts/{cohort.id}"))
        assert "You are instructor here" in guest.locator("body").inner_text()
        guest.goto("/account")
        assert "liv@uni.example" in guest.locator("#sign-ins").inner_text()
        assert_no_serious_violations(guest)
    finally:
        guest.context.close()

    # The used link, opened again (by the leader): a clear page, nothing happens.
    page.goto(link)
    assert page.get_by_role("heading", name="This invitation cannot be used").is_visible()
    assert_no_serious_violations(page)
    shot(page, "invitation-used.png")
    # A pending invitation for someone else, opened by the signed-in leader.
    page.goto(f"/cohorts/{cohort.id}")
    form = page.locator("form[action$='/invitations']")
    form.get_by_label("E-mail").fill("someone.else@example.org")
    form.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(lambda url: url.endswith("#invitations"))
    page.goto(re.search(r"http\S+/invitations/\S+", outbox("someone.else@example.org")[-1].body).group(0))
    assert page.get_by_role("heading", name="This invitation is for someone else").is_visible()
    assert_no_serious_violations(page)
    shot(page, "invitation-wrong-person.png")
    user_id = db.session.scalar(db.select(Membership.user_id).where(Membership.cohort_id == cohort.id,
                                                                    Membership.role == Role.instructor))
    assert user_id is not None


def test_a_local_account_is_linked_and_a_refusal_ends_on_a_clear_page(page, served_provider):
    UserFactory(email="kari@uio.no", name="Kari Local")
    requests.put(f"{served_provider}/users/{quote('sub-kari')}", timeout=5,
                 json={"email": "kari@uio.no", "name": "Kari Feide"})
    page.goto("/login")
    assert_no_serious_violations(page)
    shot(page, "login.png")
    page.get_by_role("link", name="Sign in with Feide").click()
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(lambda url: "/login/oidc/callback" in url)
    assert "did not allow Feide" in page.locator("#oidc-error-message").inner_text()
    assert_no_serious_violations(page)
    shot(page, "sign-in-refused.png")

    page.get_by_role("link", name="Back to the sign-in page").click()
    page.get_by_role("link", name="Sign in with Feide").click()
    at_provider(page, "sub-kari")
    page.wait_for_url(lambda url: url.endswith("/login/oidc/link"))
    page.get_by_label("Password of your account here").fill("not my password")
    page.get_by_role("button", name="Link and sign in").click()
    assert "not correct" in page.locator(".error-summary").inner_text()
    assert_no_serious_violations(page)
    shot(page, "link-account.png")
    page.get_by_label("Password of your account here").fill("correct horse battery")
    page.get_by_role("button", name="Link and sign in").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)
    assert "Welcome, Kari Local" in page.locator("body").inner_text()
