"""In a real browser: join with a code, sign in and out, switch language; pages pass an axe check."""
from __future__ import annotations

import pytest

from app.cohorts.models import Role
from tests.a11y import assert_no_serious_violations
from tests.factories import PASSWORD, CohortFactory, member

pytestmark = pytest.mark.browser


def sign_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_join_sign_out_sign_in_and_switch_to_norwegian(page):
    cohort = CohortFactory(name="MED3100 høst")
    page.goto("/")
    assert "Care Plan Lab" in page.title()
    page.get_by_role("link", name="Join a cohort with a code").click()
    page.get_by_label("Join code").fill(cohort.join_code)
    page.get_by_label("Your name").fill("Kari Nordmann")
    page.get_by_label("E-mail").fill("kari@example.org")
    page.get_by_label("Password", exact=True).fill("a good long password")
    page.get_by_label("Repeat the password").fill("a good long password")
    page.get_by_role("button", name="Create account and join").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert_no_serious_violations(page)
    sign_in(page, "kari@example.org", "a good long password")
    page.get_by_text("Welcome, Kari Nordmann").first.wait_for()
    assert page.get_by_role("link", name="MED3100 høst").is_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    sign_in(page, "kari@example.org", "a good long password")

    page.get_by_label("Language").select_option("nb")  # changes nothing until confirmed
    page.get_by_role("button", name="Change language").click()
    page.get_by_role("heading", name="Velkommen, Kari Nordmann").wait_for()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("button", name="Logg ut").is_visible()

    # the choice is kept on the account: a new browser session shows Norwegian after signing in
    page.get_by_role("button", name="Logg ut").click()
    page.context.clear_cookies()
    sign_in(page, "kari@example.org", "a good long password")  # the login page speaks the browser's English
    page.get_by_role("heading", name="Velkommen, Kari Nordmann").wait_for()


def test_register_form_errors_are_announced_and_keep_input(page):
    CohortFactory()
    page.goto("/join")
    page.get_by_label("Join code").fill("WRONG")
    page.get_by_label("Your name").fill("Kari")
    page.get_by_role("button", name="Create account and join").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Please check the form" in summary.inner_text()
    assert page.get_by_label("Your name").input_value() == "Kari"
    assert_no_serious_violations(page)


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_landing_login_and_cohort_pages_pass_axe(page, locale):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    member(cohort, Role.student)
    page.goto("/")
    if locale == "nb":
        page.get_by_label("Language").select_option("nb")
        with page.expect_navigation():
            page.get_by_role("button", name="Change language").click()
        assert page.locator("html").get_attribute("lang") == "nb"
    assert_no_serious_violations(page)
    page.goto("/login")
    assert_no_serious_violations(page)
    page.goto("/login")
    page.locator("#email").fill(leader.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/cohorts/{cohort.id}")
    assert_no_serious_violations(page)
    page.goto("/account")
    assert_no_serious_violations(page)


def test_header_fits_a_phone_screen(page):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.locator("#email").fill(leader.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    account = page.get_by_role("link", name="Account")
    box = account.bounding_box()
    assert box["x"] + box["width"] <= 390  # the menu wraps instead of running off the screen
    assert_no_serious_violations(page)
