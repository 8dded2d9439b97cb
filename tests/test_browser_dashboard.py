"""In a real browser: a course leader filters the progress dashboard, sorts it, downloads the table as CSV, and
the page with its charts passes axe."""
from __future__ import annotations

import csv
import io
import os

import pytest

from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.test_dashboard import HandBuilt

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def first_column(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#table-students tbody th").all_inner_texts()]


def test_filter_sort_and_download_the_students(page, app):
    built = HandBuilt()
    sign_in(page, built.leader.email)
    page.goto(f"/cohorts/{built.cohort.id}")
    page.get_by_role("link", name=f"Progress {built.assignment.title}").click()
    page.get_by_role("heading", name=f"Progress: {built.assignment.title}").wait_for()
    assert len(first_column(page)) == 9

    page.get_by_label("State", exact=True).select_option(label="Waiting for review")
    page.get_by_label("Reviewer", exact=True).select_option(label="Rita Reviewer")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "state=submitted" in url)
    assert first_column(page) == ["Dag Student"]
    assert "1 of 9 shown" in page.locator("#students-title").inner_text()

    page.get_by_role("link", name="Clear filters").first.click()
    page.get_by_role("link", name="Versions").click()  # sort by the column, then the other way round
    page.get_by_role("link", name="Versions").click()
    page.wait_for_url(lambda url: "dir=desc" in url)
    assert first_column(page)[0] == "Gro Student"
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Versions")

    page.get_by_label("Only overdue").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "overdue=1" in url)
    shown = first_column(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV Students", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-students.csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Student", "State", "Versions"]
    assert [row[0] for row in rows[1:]] == shown


def test_the_dashboard_with_its_charts_passes_axe(page, app):
    built = HandBuilt()
    sign_in(page, built.leader.email)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"/assignments/{built.assignment.id}/dashboard")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 5
    for index in range(charts.count()):
        labelled = charts.nth(index).get_attribute("aria-labelledby").split()
        assert all(page.locator(f"#{ident}").count() == 1 for ident in labelled)
    assert_no_serious_violations(page)
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the charts and tables still pass
    assert_no_serious_violations(page, context="#main")


def test_the_student_table_scrolls_sideways_at_1280_pixels_and_by_keyboard(page, app):
    built = HandBuilt()
    sign_in(page, built.leader.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/assignments/{built.assignment.id}/dashboard")
    region = page.get_by_role("region", name="Students, their plan's state and review")
    assert region.get_attribute("tabindex") == "0"
    assert region.locator("#table-students").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the page itself never scrolls sideways
    # squeeze the table so it must scroll, as with long names or Norwegian headings
    region.evaluate("element => { element.style.maxWidth = '600px'; }")
    assert region.evaluate("element => getComputedStyle(element).overflowX") in ("auto", "scroll")
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    region.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert region.evaluate("element => element.scrollLeft") > 0
    assert_no_serious_violations(page)
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "dashboard-students-scroll.png"))
