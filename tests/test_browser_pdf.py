"""In a real browser: a plan too large for a PDF leads to a clear page and on to the print view; the waiting page
asks again by itself and gives the file once it is made. Both pages pass axe."""
from __future__ import annotations

import pytest

from app.db import db, utcnow
from app.plans.models import VersionPdf
from app.plans.pdf import RenderFailed
from app.plans.states import PlanState
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.conftest import login
from tests.plan_helpers import World, largest_content

pytestmark = pytest.mark.browser


def test_a_plan_too_large_for_a_pdf_offers_the_print_view(page, app, monkeypatch):
    world = World()
    world.write(largest_content())
    monkeypatch.setattr("app.plans.views.render_bounded", lambda *args: b"%PDF-never")
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    page.get_by_role("link", name="Download PDF").first.click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "This plan is too large for a PDF"
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Open the print view").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/plans/{world.plan.id}/print")
    assert page.locator("h1").inner_text() == world.plan.case_version.person_name


def test_the_waiting_page_asks_again_and_the_download_follows(page, app, client, monkeypatch):
    world = World()
    world.to_state(PlanState.submitted)

    def fail(*args):
        raise RenderFailed("stopped")

    # A first request leaves the version's page stored; then another request holds the claim to render it.
    monkeypatch.setattr("app.plans.services.render_bounded", fail)
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 503
    stored = db.session.scalar(db.select(VersionPdf))
    stored.state, stored.error, stored.finished_at, stored.claimed_at = "rendering", None, None, utcnow()
    db.session.commit()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/pdf")
    assert page.get_by_role("heading", level=1).inner_text() == "The PDF is being prepared"
    assert_no_serious_violations(page)
    # The other request finishes; the page's own refresh brings the file.
    stored = db.session.scalar(db.select(VersionPdf))
    stored.state, stored.data, stored.html, stored.finished_at = "ready", b"%PDF-1.7 made elsewhere", None, utcnow()
    db.session.commit()
    with page.expect_download(timeout=10_000) as download:
        pass
    assert download.value.suggested_filename.endswith("-v1.pdf")
