"""In a real browser: live hints while typing, one-click replacement, dismissal that survives a reload."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import World

pytestmark = pytest.mark.browser


def test_hints_apply_and_dismiss(page, app):
    world = World()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    field = page.get_by_label("What matters to me")
    field.click()
    page.keyboard.type("Pt denies drinking. She takes diazepam prn. She was clean for a year.")
    hints = page.locator("#hints-what_matters")
    hints.locator(".hint-item").first.wait_for()
    text = hints.inner_text()
    assert "denies" in text and "Pt" in text
    assert hints.locator("mark.hint-term").count() >= 2  # the words are marked, not only coloured
    assert hints.locator(".hint-icon").count() >= 2

    # one click applies a simple replacement
    item = hints.locator(".hint-item", has=page.locator("mark.hint-term", has_text=re.compile(r"^prn$")))
    item.get_by_role("button", name=re.compile("Replace with")).click()
    value = field.input_value()
    assert "prn" not in value and "diazepam when needed" in value
    page.locator("#save-status.is-saved").wait_for()

    # dismiss "clean" with a reason; after a reload it stays dismissed
    clean = hints.locator(".hint-item", has=page.locator("mark.hint-term", has_text="clean"))
    clean.get_by_role("button", name="Dismiss…").click()
    clean.get_by_label("Why does it not apply here?").fill("quoting Anna")
    clean.get_by_role("button", name="Dismiss hint").click()
    hints.locator("details.hints-dismissed").wait_for()
    page.locator("#save-status.is-saved").wait_for()
    page.reload()
    hints = page.locator("#hints-what_matters")
    hints.locator("details.hints-dismissed").wait_for()
    assert hints.locator(".hint-item:not(.dismissed)", has=page.locator("mark.hint-term", has_text="clean")).count() == 0
    hints.locator("details.hints-dismissed summary").click()
    assert "quoting Anna" in hints.locator("details.hints-dismissed").inner_text()
    assert_no_serious_violations(page)


def test_a_status_region_announces_how_many_hints_the_field_being_edited_has(page, app):
    world = World()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    status = page.locator("#hint-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == ""
    # the lists of hints are not live regions of their own: they change on every check
    assert page.locator("div.hints[aria-live]").count() == 0
    page.get_by_label("My strengths and resources").click()
    page.keyboard.type("She was an addict")
    expect(status).to_have_text("1 language hint in My strengths and resources")
    page.keyboard.type(" who denies it.")
    expect(status).to_have_text("2 language hints in My strengths and resources")
    page.screenshot(path="/tmp/shots-confirm/hint-status.png")
    # more typing that changes no count announces nothing new
    page.keyboard.type(" Today she cooks.")
    page.wait_for_timeout(1500)
    assert status.inner_text() == "2 language hints in My strengths and resources"
    assert_no_serious_violations(page)
