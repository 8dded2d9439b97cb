"""In a real browser: a course leader uploads a case's zip from the library, sees a bad file's problems, previews a
good one in both languages and imports it; the rubric preview too. Every page passes axe."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cases.models import Case
from app.cohorts.models import Role
from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.factories import CohortFactory, import_shipped_content, member
from tests.test_content_upload import RUBRIC, case_files, changed, make_zip

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/careplan-screenshots"))


def shot(page, name, full_page=True):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=full_page)


def choose(page, name: str, data: bytes, mime: str = "application/zip"):
    page.get_by_label("Case (.zip) or rubric (.yaml)").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="Check and preview").click()


def test_a_leader_uploads_a_case_sees_its_problems_then_previews_and_imports_it(page, app):
    import_shipped_content()
    leader = member(CohortFactory(), Role.leader)
    sign_in(page, leader.email)
    page.goto("/library")
    page.get_by_role("link", name="Upload a case or rubric").click()
    page.get_by_role("heading", level=1, name="Upload a case or a rubric").wait_for()
    assert_no_serious_violations(page)
    shot(page, "upload-form.png")

    missing = {k: v for k, v in case_files().items() if k != "story.nb.md"}
    choose(page, "anna.zip", make_zip(missing))
    problems = page.locator(".upload-problems")
    problems.wait_for()
    assert "nothing was imported" in problems.inner_text()
    assert "document 'story' has no file for 'nb'" in problems.inner_text()
    assert problems.evaluate("el => el === document.activeElement")  # the problems are read out first
    assert_no_serious_violations(page)
    shot(page, "upload-problems.png")

    choose(page, "anna.zip", make_zip(changed(case_files(), "story.en.md", "fish soup", "fish stew")))
    page.get_by_role("heading", level=1, name="Check before importing: Anna, 44").wait_for()
    assert "importing adds version 2" in page.locator(".upload-outcome").inner_text()
    story = page.locator(".upload-document", has_text="Anna's story")
    assert story.locator('[lang="en"] .document-body').inner_text().count("fish stew") == 1
    assert "fiskesuppe" in story.locator('[lang="nb"] .document-body').inner_text().lower()
    page.get_by_text("Show the changed words").first.click()
    assert page.locator("details[open] ins", has_text="stew").count() == 1
    assert_no_serious_violations(page)
    # Nothing is wider than the window: long documents and their tables scroll inside their column.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "upload-preview-case.png", full_page=False)
    page.locator("#upload-doc-services").scroll_into_view_if_needed()
    shot(page, "upload-preview-case-services.png", full_page=False)
    page.set_viewport_size({"width": 420, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "upload-preview-case-narrow.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Import as version 2").first.click()
    page.wait_for_url("**/library/cases/anna")
    assert "imported as version 2" in page.locator(".flashes").inner_text()
    db.session.expire_all()
    assert [v.number for v in db.session.scalar(db.select(Case).where(Case.slug == "anna")).versions] == [1, 2]


def test_a_leader_previews_a_rubric_in_both_languages(page, app):
    leader = member(CohortFactory(), Role.leader)
    sign_in(page, leader.email)
    page.goto("/library/import")
    choose(page, "ip-default.yaml", RUBRIC.read_bytes(), "application/x-yaml")
    page.get_by_role("heading", level=1, name="Check before importing: Individual care plan").wait_for()
    assert page.locator("table.rubric-table").count() == 2
    assert page.get_by_role("button", name="Import as version 1").count() == 2  # above and below the preview
    assert_no_serious_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "upload-preview-rubric.png", full_page=False)

    page.get_by_role("button", name="Discard this upload").first.click()
    page.wait_for_url("**/library")
    assert "nothing was imported" in page.locator(".flashes").inner_text()
