"""In a real browser: a student reads the case by keyboard and in Norwegian; the pages pass an axe check."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.cohorts.models import Role
from app.content.services import import_content
from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.factories import PASSWORD, AssignmentFactory, CohortFactory, import_shipped_content, member

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("CAREPLAN_SCREENSHOTS", "/tmp/careplan-screenshots"))


def sign_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


def tab_to(page, name: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached “{name}”")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


@pytest.fixture
def assignment(app):
    import_shipped_content()
    cohort = CohortFactory(name="MED3100 autumn")
    return AssignmentFactory(cohort=cohort, title="Care plan for Anna")


def test_student_reads_the_case_by_keyboard_and_in_norwegian(page, assignment):
    student = member(assignment.cohort, Role.student)
    sign_in(page, student.email)
    page.goto(f"/assignments/{assignment.id}/case")
    page.get_by_role("heading", level=1, name="Anna, 44").wait_for()
    screenshot(page, "reading-view.png")

    tab_to(page, "Anna in her own words")
    page.keyboard.press("Enter")
    page.wait_for_url("**#doc-interview")
    heading = page.get_by_role("heading", level=2, name="Anna in her own words")
    assert heading.evaluate("el => el === document.activeElement")
    assert heading.is_visible() and heading.bounding_box()["y"] < page.viewport_size["height"]

    page.get_by_role("navigation", name="Language of the case").get_by_role("link", name="Norsk bokmål").click()
    page.wait_for_url("**lang=nb**")
    contents = page.get_by_role("navigation", name="Contents")
    for title in ("Annas historie", "Henvisning", "Epikrise", "Anna med egne ord", "Tjenestene rundt Anna"):
        assert contents.get_by_role("link", name=title).is_visible()
    assert page.get_by_role("heading", level=2, name="Epikrise").is_visible()
    assert "Veiledningsnotater" not in page.content()


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_reading_view_and_rubric_pass_axe(page, assignment, lang):
    student = member(assignment.cohort, Role.student)
    sign_in(page, student.email)
    page.goto(f"/assignments/{assignment.id}/case?lang={lang}")
    assert_no_serious_violations(page)
    page.goto(f"/assignments/{assignment.id}/rubric?lang={lang}")
    assert_no_serious_violations(page)


def test_library_pages_pass_axe(page, assignment, tmp_path):
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(Path(__file__).resolve().parent.parent / "cases" / "anna", folder)
    story = folder / "story.en.md"
    story.write_text(story.read_text(encoding="utf-8").replace("fish soup", "fish stew")
                     .replace("She was good at it.", "She was good at it, and proud of it."), encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()
    leader = member(assignment.cohort, Role.leader)
    sign_in(page, leader.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Case library").click()
    page.get_by_role("heading", level=1, name="Case library").wait_for()
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Anna, 44").click()
    assert_no_serious_violations(page)
    page.goto("/library/cases/anna/versions/2?lang=en")
    assert page.get_by_text("For instructors and course leaders only.").first.is_visible()
    assert_no_serious_violations(page)
    page.goto("/library/cases/anna/diff?from=1&to=2&lang=en")
    page.locator("ins").first.wait_for()
    page.locator("ins").first.scroll_into_view_if_needed()
    screenshot(page, "diff.png")
    assert_no_serious_violations(page)
    page.goto("/library/rubrics/ip-default/versions/1?lang=en")
    assert_no_serious_violations(page)
