"""The plan as PDF: bounded in size and time, made once for a submitted version, limited per person."""
from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from app.db import db, utcnow
from app.plans import services
from app.plans.models import VersionPdf
from app.plans.states import PlanState
from app.privacy.services import anonymise_user
from app.reviews import services as reviews
from benchmarks._server import Session
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory
from tests.plan_helpers import GOOD_CONTENT, World, largest_content, markdown_table


@pytest.fixture
def world(app):
    return World()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


class CountingRenderer:
    """Stands in for the rendering process: counts the renderings, and can take its time."""

    def __init__(self, seconds: float = 0.0):
        self.calls = 0
        self.seconds = seconds
        self.lock = threading.Lock()

    def __call__(self, html, static_folder, bounds):
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        return b"%PDF-1.7 rendered"


def refuse_rendering(*args, **kwargs):
    raise AssertionError("nothing should be rendered here")


def test_a_plan_past_the_budget_is_refused_with_the_print_view_offered(client, world, monkeypatch):
    world.write(largest_content())
    login(client, world.owner.email)
    monkeypatch.setattr("app.plans.views.render_bounded", refuse_rendering)
    started = time.perf_counter()
    response = client.get(f"/plans/{world.plan.id}/pdf")
    assert time.perf_counter() - started < 5
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "This plan is too large for a PDF" in html and "1,000 table cells" in html
    assert "This plan has 19,288 table cells." in html
    assert f'href="/plans/{world.plan.id}/print"' in html and "Save as PDF" in html
    # The print view shows the same plan in full.
    assert client.get(f"/plans/{world.plan.id}/print").status_code == 200


def test_the_refusal_speaks_norwegian(client, world, monkeypatch):
    world.write(largest_content())
    login(client, world.owner.email)
    monkeypatch.setattr("app.plans.views.render_bounded", refuse_rendering)
    response = client.get(f"/plans/{world.plan.id}/pdf", headers={"Accept-Language": "nb"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Denne planen er for stor for en PDF" in html


def test_a_submitted_version_past_the_budget_is_refused_and_nothing_is_stored(client, world, monkeypatch):
    world.write(largest_content())
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    monkeypatch.setattr("app.plans.services.render_bounded", refuse_rendering)
    response = client.get(f"/plans/{world.plan.id}/pdf?version=1")
    assert response.status_code == 422 and "too large for a PDF" in response.get_data(as_text=True)
    assert f'href="/plans/{world.plan.id}/versions/1/print"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(VersionPdf.id))) == 0


def test_a_budget_counts_table_cells_as_well_as_text(client, world, monkeypatch):
    # A short plan whose tables have more cells than the budget allows.
    content = {**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"], "strengths": markdown_table(12_000)}}
    world.write(content)
    login(client, world.owner.email)
    monkeypatch.setattr("app.plans.views.render_bounded", refuse_rendering)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 422


def test_a_budget_counts_the_text_of_a_plan_without_tables(client, world, monkeypatch):
    prose = ("I want a home of my own with Luna, and to cook for my sister again. " * 200)[:10_000]
    world.write({**GOOD_CONTENT, "sections": {key: prose for key in GOOD_CONTENT["sections"]}})
    login(client, world.owner.email)
    monkeypatch.setattr("app.plans.views.render_bounded", refuse_rendering)
    response = client.get(f"/plans/{world.plan.id}/pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "60,000 characters" in html and "This plan has 16 table cells and 70," in html


def test_a_pdf_past_the_size_bound_is_refused(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_MAX_BYTES", 1_000)
    world.write()
    login(client, world.owner.email)
    response = client.get(f"/plans/{world.plan.id}/pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "This plan is too large for a PDF" in html and "This plan has" not in html


def test_a_rendering_past_the_time_bound_is_stopped(client, world, app, monkeypatch):
    world.write()
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200  # the rendering processes are ready
    # A plan inside the budget that takes seconds to render, against a bound of a tenth of a second.
    world.write({**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"], "network": markdown_table(5_000)}})
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 0.1)
    started = time.perf_counter()
    response = client.get(f"/plans/{world.plan.id}/pdf")
    assert time.perf_counter() - started < 3
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Please try again later" in html and f'href="/plans/{world.plan.id}/print"' in html
    assert multiprocessing.active_children() == []  # the rendering was stopped, not left running


def test_a_failed_version_pdf_is_tried_again_only_after_a_while(client, world, app, monkeypatch):
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 0.01)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 503
    stored = db.session.scalar(db.select(VersionPdf))
    assert stored.state == "failed" and stored.error == "timeout"

    # Within the retry delay, the refusal is answered at once, without rendering again.
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 20)
    monkeypatch.setattr("app.plans.services.render_bounded", refuse_rendering)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 503

    # After it, the next request renders it again.
    stored.finished_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    renderer = CountingRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    response = client.get(f"/plans/{world.plan.id}/pdf")
    assert response.status_code == 200 and response.data == b"%PDF-1.7 rendered" and renderer.calls == 1


def test_a_submitted_versions_pdf_is_stored_and_served_again_without_rendering(client, world, monkeypatch):
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    first = client.get(f"/plans/{world.plan.id}/pdf")
    assert first.status_code == 200 and "I want my own flat" in pdf_text(first.data)

    monkeypatch.setattr("app.plans.services.render_bounded", refuse_rendering)
    monkeypatch.setattr("app.plans.views.render_bounded", refuse_rendering)
    again = client.get(f"/plans/{world.plan.id}/pdf?version=1")
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["Content-Disposition"].endswith('-v1.pdf"')
    stored = db.session.scalar(db.select(VersionPdf))
    assert stored.state == "ready" and stored.size == len(first.data) and stored.html is None


def test_a_changed_page_of_the_same_version_is_rendered_anew(client, world, monkeypatch):
    world.to_state(PlanState.submitted)
    renderer = CountingRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    # The same version in Norwegian is another page, so another file.
    assert client.get(f"/plans/{world.plan.id}/pdf", headers={"Accept-Language": "nb"}).status_code == 200
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    assert renderer.calls == 2


def test_a_new_stylesheet_makes_the_stored_pdf_anew(client, world, monkeypatch):
    world.to_state(PlanState.submitted)
    renderer = CountingRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    monkeypatch.setattr("app.plans.pdf._stylesheet", lambda static_folder: b"body { font-size: 12pt; }")
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    assert renderer.calls == 2


def test_an_abandoned_claim_is_taken_over_and_a_fresh_one_waited_for(client, world, monkeypatch):
    world.to_state(PlanState.submitted)
    renderer = CountingRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    stored = db.session.scalar(db.select(VersionPdf))
    # Someone else holds the claim to render it right now: the page waits and asks again by itself.
    stored.state, stored.data, stored.html = "rendering", None, "<p>the page</p>"
    stored.claimed_at = utcnow()
    db.session.commit()
    waiting = client.get(f"/plans/{world.plan.id}/pdf")
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 202 and f'data-pdf-wait="/plans/{world.plan.id}/pdf"' in html
    assert "The PDF is being prepared" in html and "js/pdf.js" in html
    assert renderer.calls == 1
    # Its worker was stopped long ago: the next request takes the claim over and renders.
    stored.claimed_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    response = client.get(f"/plans/{world.plan.id}/pdf")
    assert response.status_code == 200 and response.data == b"%PDF-1.7 rendered" and renderer.calls == 2


def test_a_job_can_render_a_claimed_version_pdf(app, world):
    version = world.to_state(PlanState.submitted).versions[0]
    with app.test_request_context():
        record, mine = services.claim_version_pdf(version, "<p>I want my own flat</p>", stale_after=50,
                                                  retry_after=600)
        db.session.commit()
        assert mine
        done = services.render_version_pdf(record.id)
    assert done.state == "ready" and "I want my own flat" in pdf_text(done.data)


def test_two_requests_for_the_same_version_render_it_once(live_server, world, monkeypatch):
    world.to_state(PlanState.submitted)
    renderer = CountingRenderer(seconds=1.5)
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    port = urlsplit(live_server).port
    sessions = []
    for _n in range(2):
        session = Session(port)
        session.login(world.owner.email, PASSWORD)
        sessions.append(session)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, bytes]] = []

    def ask(session):
        barrier.wait(timeout=10)
        answers.append(session.request("GET", f"/plans/{world.plan.id}/pdf"))

    threads = [threading.Thread(target=ask, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _body in answers) == [200, 202]
    assert renderer.calls == 1
    # Once made, both are served the same file.
    status, body = sessions[1].request("GET", f"/plans/{world.plan.id}/pdf")
    assert status == 200 and body == b"%PDF-1.7 rendered" and renderer.calls == 1
    for session in sessions:
        session.conn.close()


def test_pdf_requests_are_limited_per_person(make_client, world, monkeypatch):
    world.to_state(PlanState.submitted)
    renderer = CountingRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    student, leader = make_client(), make_client()
    login(student, world.owner.email)
    login(leader, world.leader.email)
    for _n in range(10):
        assert student.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    refused = student.get(f"/plans/{world.plan.id}/pdf")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "Too many PDFs at once" in html and f'href="/plans/{world.plan.id}/print"' in html
    # Another person is not held up by it.
    assert leader.get(f"/plans/{world.plan.id}/pdf").status_code == 200


def test_the_limit_tells_nothing_about_a_plan_one_may_not_see(make_client, world):
    world.to_state(PlanState.submitted)
    other = make_client()
    login(other, world.other_student.email)
    for _n in range(10):
        assert other.get(f"/plans/{world.plan.id}/pdf").status_code == 404
    for plan_id in (world.plan.id, world.plan.id + 1000):
        refused = other.get(f"/plans/{plan_id}/pdf")
        assert refused.status_code == 429 and "/print" not in refused.get_data(as_text=True)


def test_a_drafts_pdf_is_rendered_each_time_and_never_stored(client, world):
    world.write()
    login(client, world.owner.email)
    first = client.get(f"/plans/{world.plan.id}/pdf")
    assert first.status_code == 200 and first.headers["Content-Disposition"].endswith('-draft.pdf"')
    assert "I want my own flat" in pdf_text(first.data)
    world.write({**GOOD_CONTENT, "goals": [{"id": "g1", "text": "I want to cook again", "timeframe": "soon"}]})
    second = client.get(f"/plans/{world.plan.id}/pdf")
    assert second.status_code == 200 and "I want to cook again" in pdf_text(second.data)
    assert db.session.scalar(db.select(db.func.count(VersionPdf.id))) == 0


@pytest.mark.parametrize("who", ["owner", "reviewer"])
def test_a_stored_pdf_with_a_persons_name_goes_when_they_are_anonymised(client, world, monkeypatch, who):
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    reviews.save_review(plan, world.reviewer, scores={}, overall="Clear goals.")
    reviews.release(plan, world.reviewer)  # the feedback, with the reviewer's name, is in the printed plan
    db.session.commit()
    pages: list[str] = []

    def keep_page(html, static_folder, bounds):
        pages.append(html)
        return b"%PDF-1.7 rendered"

    monkeypatch.setattr("app.plans.services.render_bounded", keep_page)
    login(client, world.owner.email)
    assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
    person = getattr(world, who)
    name = person.name
    assert name in pages[0]

    anonymise_user(person, UserFactory(is_admin=True))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(VersionPdf.id))) == 0
    if who == "reviewer":
        assert client.get(f"/plans/{world.plan.id}/pdf").status_code == 200
        assert len(pages) == 2 and name not in pages[1]
