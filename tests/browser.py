"""What the browser tests do again and again: sign in through the login form as a person of the test's world."""
from __future__ import annotations


def sign_in(page, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
