"""In a real browser: dates read one way on the pages where people meet them, in both languages; the dashboard's
student table scrolls sideways instead of being cut off, and tables have borders one can see."""
from __future__ import annotations

import re

import pytest

from app.db import db
from app.plans.states import PlanState
from tests.a11y import assert_no_serious_violations
from tests.plan_helpers import World
from tests.test_browser_reviews import sign_in
from tests.test_dates import DUE, OTHER_WAYS, READS, REVIEW_DUE, SUBMITTED

pytestmark = pytest.mark.browser


@pytest.fixture()
def world(app):
    world = World(due_at=DUE, review_due_at=REVIEW_DUE, allow_late=True)
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    world.plan.versions[0].submitted_at = SUBMITTED
    db.session.commit()
    return world


def shown_text(page) -> str:
    return page.locator("main").inner_text().replace("\u202f", " ")


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Each data table's frame: the table's own border, or that of the region it scrolls in.
FRAMES = """() => [...document.querySelectorAll("main table.table")].map((table) => {
  const framed = table.closest(".table-scroll") || table;
  const style = getComputedStyle(framed);
  const row = getComputedStyle(table.querySelector("tbody td, tbody th"));
  return { frame: style.borderTopStyle + " " + style.borderTopWidth, color: style.borderTopColor,
           rows: row.borderBottomColor, rowStyle: row.borderBottomStyle };
})"""


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_reviewer_and_the_course_leader_read_dates_one_way(page, app, world, lang):
    world.reviewer.locale = world.leader.locale = lang
    db.session.commit()
    page.goto("/")
    reviewer = sign_in(page, world.reviewer.email)
    reviewer.goto("/reviews")
    text = shown_text(reviewer)
    assert READS[lang][SUBMITTED] in text and READS[lang][REVIEW_DUE] in text
    assert not OTHER_WAYS.findall(text)
    assert_no_serious_violations(reviewer)

    leader = sign_in(page, world.leader.email)
    leader.goto(f"/assignments/{world.assignment.id}/allocation")
    assert READS[lang][SUBMITTED] in shown_text(leader) and not OTHER_WAYS.findall(shown_text(leader))
    leader.goto(f"/assignments/{world.assignment.id}/dashboard")
    text = shown_text(leader)
    assert READS[lang][DUE] in text and READS[lang][SUBMITTED] in text and not OTHER_WAYS.findall(text)
    assert_no_serious_violations(leader)


def test_the_dashboards_student_table_scrolls_and_tables_have_visible_borders(page, app, world):
    page.goto("/")
    leader = sign_in(page, world.leader.email)
    leader.set_viewport_size({"width": 800, "height": 900})
    leader.goto(f"/assignments/{world.assignment.id}/dashboard")
    region = leader.locator(".table-scroll[role=region]")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # wider than the screen: it scrolls
    last = region.locator("thead th").last
    region.focus()
    for _ in range(30):  # by keyboard, as the region is focusable
        leader.keyboard.press("ArrowRight")
    leader.wait_for_function("r => r.scrollLeft + r.clientWidth >= r.scrollWidth - 1", arg=region.element_handle())
    box, frame = last.bounding_box(), region.bounding_box()
    assert box and frame and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1  # the last column is reached
    assert leader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the page itself is not cut
    frames = leader.evaluate(FRAMES)
    assert frames
    for table in frames:
        assert table["frame"].startswith("solid") and contrast(table["color"], "rgb(255, 255, 255)") >= 3, table
        assert table["rowStyle"] == "solid" and contrast(table["rows"], "rgb(255, 255, 255)") >= 1.5, table
    assert_no_serious_violations(leader)
