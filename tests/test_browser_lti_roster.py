"""In a real browser: a course leader opens the cohort, follows "Sync members" to the preview of the LMS course's
members, applies it, and sees who was added and removed. The platform's services are answered by `responses`; axe
checks the cohort page with the course on it and the preview."""
from __future__ import annotations

import os

import pytest
import responses
from sqlalchemy import select

from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.lti_helpers import LEARNER, TA, known_in_lms, lms_course, lms_member, members_pages, token_endpoint
from tests.plan_helpers import World

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, name), full_page=True)


def test_the_leader_previews_and_applies_the_course_members(page, live_server):
    world = World()
    context = lms_course(world.cohort)
    leaving = World().owner  # someone in another cohort, brought into this one by the course earlier
    db.session.add(Membership(cohort_id=world.cohort.id, user_id=leaving.id, role=Role.student,
                              source_group=f"lti:{context.id}"))
    leaving.name = "Lars Left"
    known_in_lms(leaving, "u-leaving")
    known_in_lms(world.owner, "u-olga")
    db.session.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(live_server)
        token_endpoint(mock)
        members_pages(mock, [lms_member("u-olga", "Olga Owner", [LEARNER]),
                             lms_member("u-nina", "Nina New", [LEARNER], "nina.new@uni.example")],
                      [lms_member("u-tom", "Tom Assistant", [TA], "tom@uni.example")])
        sign_in(page, world.leader.email)
        page.goto(f"/cohorts/{world.cohort.id}")
        panel = page.locator("#lms-course")
        assert "Course in Canvas: MED4500 Autumn" in panel.inner_text()
        assert "Members not synced yet." in panel.inner_text()
        assert_no_serious_violations(page)
        panel.get_by_role("link", name="Sync members").click()
        page.get_by_role("heading", name="Members from the LMS course").wait_for()
        assert "Nina New" in page.locator("section", has=page.locator("#add-title")).inner_text()
        assert "Tom Assistant" in page.locator("section", has=page.locator("#add-title")).inner_text()
        assert leaving.name in page.locator("section", has=page.locator("#leaving-title")).inner_text()
        assert world.reviewer.name in page.locator("section", has=page.locator("#kept-title")).inner_text()
        shot(page, "lti-roster-preview.png")
        assert_no_serious_violations(page)
        page.get_by_role("button", name="Apply these changes").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: url.endswith(f"/cohorts/{world.cohort.id}"))
    flash = page.locator(".flash-success").inner_text()
    assert "Members synced with MED4500 Autumn: 2 added, 0 role(s) changed, 1 removed." in flash
    assert "Members last synced" in page.locator("#lms-course").inner_text()
    shot(page, "lti-roster-applied.png")
    db.session.expire_all()
    tom = db.session.scalar(select(User).where(User.email == "tom@uni.example"))
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == tom.id)) == Role.instructor
    assert db.session.scalar(select(Membership.id).where(Membership.user_id == leaving.id,
                                                         Membership.cohort_id == world.cohort.id)) is None
