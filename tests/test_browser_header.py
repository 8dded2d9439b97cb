"""In a real browser: the header of every page — the language changes only when asked, the menu fits one line."""
from __future__ import annotations

import pytest

from tests.a11y import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_choosing_a_language_changes_nothing_until_the_button_is_pressed(page, app):
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "en"
    page.locator("#locale-select").select_option("nb")
    page.wait_for_timeout(500)
    assert page.get_attribute("html", "lang") == "en" and "/login" in page.url
    button = page.get_by_role("button", name="Change language")
    assert button.is_visible()
    page.locator("#locale-select").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Change language"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "nb"
    assert page.locator("#locale-select").input_value() == "nb"
    assert_no_serious_violations(page)
