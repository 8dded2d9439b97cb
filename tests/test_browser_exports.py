"""In a real browser: a course leader starts the export of a small cohort from the progress page, watches it
progress and downloads the zip; without scripts "Continue" does the same; the account page's e-mail choices are
saved from the keyboard. Each page passes axe."""
from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.notifications import services as notification_services
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.test_exports import FakeRenderer, cohort_with_plans

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CAREPLAN_SCREENSHOTS", "/tmp/careplan-screenshots"))


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


class SlowRenderer(FakeRenderer):
    """Takes its time, so the page's progress can be seen between the steps."""

    def __call__(self, html, static_folder, bounds):
        time.sleep(0.6)
        return super().__call__(html, static_folder, bounds)


@pytest.fixture
def slow_export(app, monkeypatch):
    monkeypatch.setattr("app.plans.services.render_bounded", SlowRenderer())
    monkeypatch.setitem(app.config, "EXPORT_STEP_PLANS", 1)


def test_a_leader_starts_an_export_sees_its_progress_and_downloads_the_zip(page, app, slow_export):
    world, other = cohort_with_plans()
    sign_in(page, world.leader.email)
    page.goto(f"/assignments/{world.assignment.id}/dashboard")
    page.get_by_role("link", name="Export all plans").first.click()
    page.get_by_role("button", name="Export all plans as a zip").click()
    page.get_by_role("heading", name="All plans as one zip: Anna, autumn").wait_for()
    status = page.locator("#export-status")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text("1 of 2 plans added to the zip.")  # the first of two plans is in
    expect(page.get_by_text("While this page is open it adds a few plans at a time")).to_be_visible()
    expect(page.locator("#export-bar")).to_have_js_property("value", 1)
    assert page.locator("#export-bar").get_attribute("max") == "2"
    screenshot(page, "export-progress.png")
    assert_no_serious_violations(page)

    download_link = page.get_by_role("link", name="Download the zip")
    download_link.wait_for(state="visible", timeout=15_000)
    assert status.inner_text() == "The zip is ready."
    assert page.locator("#export-state-title").inner_text() == "The zip is ready"
    assert page.locator("[data-export-continue]").is_hidden()
    expect(page.get_by_text("While this page is open it adds a few plans at a time")).to_be_hidden()
    screenshot(page, "export-ready-in-place.png")
    with page.expect_download() as download:
        download_link.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "README.txt" in archive.namelist() and "anna-autumn-students.csv" in archive.namelist()
    assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == 3

    page.reload()
    page.get_by_role("heading", name="The zip is ready").wait_for()
    assert "Plans in the zip: 2." in page.locator("main").inner_text()
    screenshot(page, "export-ready.png")
    assert_no_serious_violations(page)
    page.goto(f"/assignments/{world.assignment.id}/dashboard#exports")
    assert "ready to download" in page.locator("#exports").inner_text()
    page.locator("#exports").screenshot(path=str(SHOTS / "export-dashboard-section.png"))


def test_without_scripts_continue_carries_the_export_on(browser, live_server, app, slow_export):
    world, other = cohort_with_plans()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, world.leader.email)
        page.goto(f"/assignments/{world.assignment.id}/dashboard")
        page.get_by_role("button", name="Export all plans as a zip").click()
        assert page.locator("#export-status").inner_text() == "0 of 2 plans added to the zip."
        continue_button = page.get_by_role("button", name="Continue")
        continue_button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("#export-status").inner_text() == "1 of 2 plans added to the zip."
        assert page.locator("#export-bar").get_attribute("value") == "1"
        screenshot(page, "export-without-scripts.png")
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("heading", name="The zip is ready").wait_for()
        assert page.get_by_role("link", name="Download the zip").is_visible()
    finally:
        context.close()


def test_the_e_mail_choices_are_saved_from_the_keyboard(page, app):
    world, other = cohort_with_plans()
    sign_in(page, world.leader.email)
    page.goto("/account")
    box = page.get_by_label("Plans are waiting for a reviewer (course leaders)")
    assert not box.is_checked()
    screenshot(page, "account-email-choices.png")
    assert_no_serious_violations(page)
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    for _ in range(6):  # on through the other boxes to the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save e-mail choices":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/account#email-title")
    assert page.get_by_text("Your e-mail choices are saved.").is_visible()
    assert page.get_by_label("Plans are waiting for a reviewer (course leaders)").is_checked()
    assert notification_services.email_choices(world.leader)["waiting"] is True
    screenshot(page, "account-email-saved.png")
