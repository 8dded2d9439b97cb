"""In a real browser: a course leader reads on their home page what needs their eye in each assignment, follows a
count to the plans behind it, and both pages pass axe, in English and in Norwegian."""
from __future__ import annotations

import os

import pytest

from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.test_leader_home import Term

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, name), full_page=True)


def students_listed(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#table-students tbody th").all_inner_texts()]


def test_the_leader_follows_a_count_from_home_to_the_plans_behind_it(page, app):
    term = Term(title="Anna, spring")
    sign_in(page, term.leader.email)
    page.goto("/")
    card = page.locator(".triage-card", has_text="Anna, spring")
    counts = {key: card.locator(f'[data-count="{key}"] .stat-number').inner_text()
              for key in ("waiting", "overdue_reviews", "overdue_students", "released")}
    assert counts == {"waiting": "1", "overdue_reviews": "2", "overdue_students": "2", "released": "1"}
    assert_no_serious_violations(page)
    shot(page, "leader-home-en.png")

    card.get_by_role("link", name="2 overdue students — Anna, spring").click()
    page.wait_for_url(lambda url: "overdue=submission" in url)
    assert students_listed(page) == ["Cyd Student", "Dan Student"]
    assert page.get_by_label("Only submission overdue").is_checked()
    assert_no_serious_violations(page)
    shot(page, "leader-dashboard-overdue-students-en.png")

    page.go_back()
    page.locator(".triage-card", has_text="Anna, spring").get_by_role(
        "link", name="1 waiting for a reviewer — Anna, spring").press("Enter")  # by keyboard too
    page.wait_for_url(lambda url: "reviewer=none" in url)
    assert students_listed(page) == ["Ada Student"]


def test_the_leaders_home_in_norwegian(page, app):
    term = Term(title="Anna, vår")
    term.leader.locale = "nb"
    db.session.commit()
    sign_in(page, term.leader.email)
    page.goto("/")
    card = page.locator(".triage-card", has_text="Anna, vår")
    card.get_by_text("venter på veileder").wait_for()
    assert_no_serious_violations(page)
    shot(page, "leader-home-nb.png")
    card.get_by_role("link", name="1 tilbakemelding siste 7 dager — Anna, vår").click()
    page.wait_for_url(lambda url: "released=week" in url)
    assert students_listed(page) == ["Eli Student"]
    shot(page, "leader-dashboard-released-nb.png")


def test_the_leader_records_a_student_number_on_the_cohort_page(page, app):
    term = Term(title="Anna, spring")
    sign_in(page, term.leader.email)
    page.goto(f"/cohorts/{term.cohort.id}")
    field = page.get_by_label("Student number of Ada Student")
    field.fill("s123456")
    field.press("Enter")
    page.get_by_text("The student number of Ada Student is saved.").wait_for()
    assert page.get_by_label("Student number of Ada Student").input_value() == "s123456"
    assert_no_serious_violations(page)
    shot(page, "leader-cohort-student-number-en.png")
