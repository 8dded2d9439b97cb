"""A cohort's plans as one zip: made in steps with real progress, each version's PDF, the dashboard's CSV and a README;
safe from two tabs at once; deleted after its expiry and when someone in it is anonymised; for course leaders only."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app import jobs
from app.db import db, utcnow
from app.exports import services
from app.exports import tasks as export_tasks
from app.exports.models import ExportState, PlanExport
from app.exports.views import progress_message
from app.plans import services as plan_services
from app.plans.pdf import OverBudget
from app.plans.states import PlanState
from app.plans.structured import fhir_problems, sip_problems
from app.privacy.services import anonymise_user
from app.reviews import services as review_services
from tests.conftest import login, post
from tests.factories import UserFactory, member
from tests.plan_helpers import GOOD_CONTENT, World


@pytest.fixture(autouse=True)
def exports_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORTS_FOLDER", str(tmp_path / "exports"))
    return tmp_path / "exports"


class FakeRenderer:
    """Stands in for the rendering process: a PDF-looking file naming the page's version, or a refusal for the
    plans of the students named in `refuse`."""

    def __init__(self, refuse=()):
        self.calls = 0
        self.refuse = set(refuse)

    def __call__(self, html, static_folder, bounds):
        self.calls += 1
        if any(name in html for name in self.refuse):
            raise OverBudget("too large")
        number = re.search(r"Version (\d+)", html)
        return f"%PDF-1.7 fake {number.group(1) if number else '?'}".encode()


@pytest.fixture
def renderer(monkeypatch):
    fake = FakeRenderer()
    monkeypatch.setattr("app.plans.services.render_bounded", fake)
    return fake


def cohort_with_plans():
    """A world whose owner's plan has two versions (the first reviewed and returned), another student with one
    submitted version, and a third with a draft only."""
    world = World(title="Anna, autumn")
    world.to_state(PlanState.returned)
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, GOOD_CONTENT)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    other = plan_services.start_plan(world.assignment, world.other_student)
    db.session.commit()
    plan_services.save_draft(other, world.other_student, other.save_token, GOOD_CONTENT)
    plan_services.submit(other, world.other_student, other.save_token)
    third = member(world.cohort, name="Tora Third")
    plan_services.start_plan(world.assignment, third)
    db.session.commit()
    return world, other


def start(client, world):
    response = post(client, f"/assignments/{world.assignment.id}/exports")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def download(client, url):
    response = client.get(url)
    data = response.get_data()
    response.close()
    return response, data


def zip_of(client, url) -> zipfile.ZipFile:
    response, data = download(client, url)
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(data))


def step_json(client, export_id):
    response = post(client, f"/exports/{export_id}/step", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.get_json()


def test_a_leader_exports_every_submitted_version_the_csv_and_a_readme(app, client, renderer):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    export_id = start(client, world)
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "0 of 2 plans added to the zip." in page and '<progress id="export-bar" max="2" value="0"' in page
    answer = step_json(client, export_id)
    while answer["state"] == "building":
        answer = step_json(client, export_id)
    assert answer["state"] == "ready" and answer["done"] == answer["total"] == 2 and answer["percent"] == 100
    assert answer["download"] == f"/exports/{export_id}/download"
    assert renderer.calls == 3  # each frozen version once

    response, data = download(client, answer["download"])
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert re.search(r'filename="?anna-autumn-plans-\d{4}-\d{2}-\d{2}\.zip', response.headers["Content-Disposition"])
    archive = zipfile.ZipFile(io.BytesIO(data))
    owner_folder = f"plans/olga-owner-plan-{world.plan.id}"
    other_folder = f"plans/otto-other-plan-{other.id}"
    versions = [f"{owner_folder}/version-1", f"{owner_folder}/version-2", f"{other_folder}/version-1"]
    assert sorted(archive.namelist()) == sorted(
        ["README.txt", "anna-autumn-students.csv"]
        + [f"{version}{suffix}" for version in versions for suffix in (".pdf", ".fhir.json", ".sip.json")])
    assert archive.read(f"{owner_folder}/version-2.pdf") == b"%PDF-1.7 fake 2"
    bundle = json.loads(archive.read(f"{owner_folder}/version-2.fhir.json"))
    assert bundle["resourceType"] == "Bundle" and fhir_problems(bundle) == []
    assert sip_problems(json.loads(archive.read(f"{owner_folder}/version-2.sip.json"))) == []
    readme = archive.read("README.txt").decode()
    assert "Anna, autumn" in readme and "submitted at least once: 2" in readme and "version-<n>.pdf" in readme
    assert "version-<n>.fhir.json" in readme and "FHIR R4" in readme

    csv_download = client.get(f"/assignments/{world.assignment.id}/dashboard.csv")
    assert archive.read("anna-autumn-students.csv") == csv_download.get_data()
    assert "Tora Third" in csv_download.get_data(as_text=True)  # the CSV has every student; the plans, the submitted


def test_the_pdfs_in_the_zip_are_the_stored_version_pdfs(app, client):
    world = World()
    world.to_state(PlanState.submitted)
    login(client, world.leader.email)
    first = client.get(f"/plans/{world.plan.id}/pdf")  # stored by the plan's own download
    assert first.status_code == 200
    export_id = start(client, world)
    assert step_json(client, export_id)["state"] == "ready"
    archive = zip_of(client, f"/exports/{export_id}/download")
    (pdf_name,) = [name for name in archive.namelist() if name.endswith(".pdf")]
    data = archive.read(pdf_name)
    assert data == first.get_data()
    assert world.owner.name in "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_plan_whose_pdf_cannot_be_made_gets_a_text_saying_why(app, client, monkeypatch):
    world, other = cohort_with_plans()
    monkeypatch.setattr("app.plans.services.render_bounded", FakeRenderer(refuse={"Otto Other"}))
    login(client, world.leader.email)
    export_id = start(client, world)
    answer = step_json(client, export_id)
    assert answer["state"] == "ready"
    archive = zip_of(client, answer["download"])
    note = archive.read(f"plans/otto-other-plan-{other.id}/version-1.pdf.txt").decode()
    assert "too large" in note and f"/plans/{other.id}/versions/1/print" in note
    assert f"plans/olga-owner-plan-{world.plan.id}/version-2.pdf" in archive.namelist()


def test_each_step_adds_a_few_plans_and_without_scripts_continue_does_the_same(app, client, renderer, monkeypatch):
    world, other = cohort_with_plans()
    monkeypatch.setitem(app.config, "EXPORT_STEP_PLANS", 1)
    login(client, world.leader.email)
    export_id = start(client, world)
    answer = step_json(client, export_id)
    assert (answer["state"], answer["done"], answer["percent"]) == ("building", 1, 50)
    assert answer["message"] == "1 of 2 plans added to the zip."
    response = post(client, f"/exports/{export_id}/step")  # the Continue button, without scripts
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/exports/{export_id}")
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "The zip is ready" in page and f"/exports/{export_id}/download" in page


def test_a_step_while_another_holds_the_claim_changes_nothing_and_a_stale_claim_is_taken_over(app, client, renderer,
                                                                                                monkeypatch):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    export_id = start(client, world)
    export = db.session.get(PlanExport, export_id)
    assert services._claim(export)  # another tab's step, under way
    db.session.commit()
    answer = step_json(client, export_id)
    assert answer["busy"] is True and answer["done"] == 0 and answer["state"] == "building"
    assert renderer.calls == 0
    export = db.session.get(PlanExport, export_id)
    export.claimed_at = utcnow() - timedelta(seconds=app.config["EXPORT_CLAIM_STALE"] + 1)  # that tab was closed
    db.session.commit()
    assert step_json(client, export_id)["state"] == "ready"


def test_two_steps_at_once_make_one_whole_zip(app, make_client, renderer, monkeypatch):
    """Each step runs as far as it can; whichever order they interleave in, the file is whole."""
    world, other = cohort_with_plans()
    monkeypatch.setitem(app.config, "EXPORT_STEP_PLANS", 1)
    tabs = [make_client(), make_client()]
    for tab in tabs:
        login(tab, world.leader.email)
    export_id = start(tabs[0], world)
    answers = []
    while not answers or answers[-1]["state"] == "building":
        answers += [step_json(tab, export_id) for tab in tabs]
    archive = zip_of(tabs[1], f"/exports/{export_id}/download")
    assert archive.testzip() is None and len(archive.namelist()) == 2 + 3 * 3
    assert renderer.calls == 3


def test_a_second_start_while_one_is_being_made_returns_to_it(app, client, renderer):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    assert start(client, world) == start(client, world)


def test_starting_exports_is_rate_limited(app, client, renderer, monkeypatch):
    world, other = cohort_with_plans()
    monkeypatch.setitem(app.config, "EXPORT_RATE_LIMIT", "2 per hour")
    login(client, world.leader.email)
    for _ in range(2):
        export_id = start(client, world)
        step_json(client, export_id)  # finished, so the next start makes a new one
    refused = post(client, f"/assignments/{world.assignment.id}/exports")
    assert refused.status_code == 429 and "started many exports" in refused.get_data(as_text=True)


def test_an_expired_export_is_deleted_when_the_next_one_is_made(app, client, renderer, exports_folder):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    first = start(client, world)
    step_json(client, first)
    old = db.session.get(PlanExport, first)
    path = services.file_of(old)
    assert path.is_file()
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response, data = download(client, f"/exports/{first}/download")
    assert response.status_code == 410 and "This export's file is deleted" in data.decode()
    second = start(client, world)
    assert second != first
    assert not path.exists() and not path.parent.exists()
    assert db.session.get(PlanExport, first).state == ExportState.expired
    dashboard = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    assert f"/exports/{second}" in dashboard and f"/exports/{first}\"" not in dashboard


def test_anonymising_someone_in_the_export_deletes_its_file(app, client, renderer):
    world, other = cohort_with_plans()
    elsewhere = World()  # another cohort's export stays
    elsewhere.to_state(PlanState.submitted)
    login(client, world.leader.email)
    export_id = start(client, world)
    step_json(client, export_id)
    other_client = client.application.test_client()
    login(other_client, elsewhere.leader.email)
    kept_id = start(other_client, elsewhere)
    step_json(other_client, kept_id)
    path = services.file_of(db.session.get(PlanExport, export_id))
    kept = services.file_of(db.session.get(PlanExport, kept_id))
    anonymise_user(world.other_student, UserFactory(is_admin=True))
    db.session.commit()
    assert not path.exists() and kept.is_file()
    assert download(client, f"/exports/{export_id}/download")[0].status_code == 410
    assert download(other_client, f"/exports/{kept_id}/download")[0].status_code == 200


def test_a_reviewer_anonymised_deletes_the_exports_of_the_plans_they_reviewed(app, client, renderer):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    export_id = start(client, world)
    step_json(client, export_id)
    for membership in list(world.reviewer.memberships):  # no longer in the cohort: their reviews still name them
        db.session.delete(membership)
    db.session.commit()
    anonymise_user(world.reviewer, UserFactory(is_admin=True))
    db.session.commit()
    assert db.session.get(PlanExport, export_id).state == ExportState.expired


def test_only_the_cohorts_leaders_export(app, make_client, renderer):
    world, other = cohort_with_plans()
    leader = make_client()
    login(leader, world.leader.email)
    export_id = start(leader, world)
    for person, answer in ((world.owner, 403), (world.reviewer, 403), (World().leader, 404),
                           (UserFactory(is_admin=True), 403)):
        client = make_client()
        login(client, person.email)
        assert post(client, f"/assignments/{world.assignment.id}/exports").status_code == answer, person.name
        assert client.get(f"/exports/{export_id}").status_code == answer
        assert post(client, f"/exports/{export_id}/step").status_code == answer
        assert download(client, f"/exports/{export_id}/download")[0].status_code == answer
    assert db.session.get(PlanExport, export_id).done == 0


def test_a_queue_worker_runs_the_same_steps_to_the_end(app, renderer, monkeypatch):
    world, other = cohort_with_plans()
    monkeypatch.setitem(app.config, "EXPORT_STEP_PLANS", 1)
    export = services.start_export(world.assignment, world.leader, locale="en")
    db.session.commit()
    with app.test_request_context():
        progress = services.run_to_end(export.id)
    assert (progress.state, progress.done, progress.total) == ("ready", 2, 2)
    with zipfile.ZipFile(services.file_of(db.session.get(PlanExport, export.id))) as archive:
        assert archive.testzip() is None


def test_the_export_page_speaks_norwegian(app, client, renderer):
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    post(client, "/locale", {"locale": "nb"})
    export_id = start(client, world)
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "Alle planer som én zip-fil" in page and "0 av 2 planer er lagt i zip-filen." in page
    answer = step_json(client, export_id)
    archive = zip_of(client, answer["download"])
    assert "Hva filen inneholder" in archive.read("README.txt").decode()


def test_a_review_released_after_the_export_is_not_in_it_until_a_new_one(app, client, renderer):
    """The zip is a snapshot: its version PDFs are the pages as they read when it was made."""
    world = World()
    world.to_state(PlanState.in_review)
    login(client, world.leader.email)
    first = start(client, world)
    step_json(client, first)
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Warm and concrete.")
    review_services.release(world.plan, world.reviewer)
    db.session.commit()
    second = start(client, world)
    assert second != first and step_json(client, second)["state"] == "ready"
    assert renderer.calls == 2  # the page changed with the released feedback: its PDF is made anew


def test_two_tabs_stepping_at_the_same_moment_make_one_whole_zip(app, live_server, monkeypatch):
    """Against a real server, two tabs of the same leader carry the export on at once: each step is claimed by one
    of them, the other is told it is busy, and the file is whole, with every PDF made once."""
    import json
    import threading
    import time as clock
    from urllib.parse import urlsplit

    from benchmarks._server import Session
    from tests.factories import PASSWORD

    class Slow(FakeRenderer):
        def __call__(self, html, static_folder, bounds):
            clock.sleep(0.2)
            return super().__call__(html, static_folder, bounds)

    renderer = Slow()
    monkeypatch.setattr("app.plans.services.render_bounded", renderer)
    monkeypatch.setitem(app.config, "EXPORT_STEP_PLANS", 1)
    world, other = cohort_with_plans()
    for name in ("Frida Fourth", "Geir Fifth"):
        plan_services.start_plan(world.assignment, member(world.cohort, name=name))
        db.session.commit()
        plan = db.session.scalar(db.select(type(world.plan)).order_by(type(world.plan).id.desc()))
        plan_services.save_draft(plan, plan.student, plan.save_token, GOOD_CONTENT)
        plan_services.submit(plan, plan.student, plan.save_token)
        db.session.commit()
    export_id = services.start_export(world.assignment, world.leader, locale="en").id
    db.session.commit()
    port = urlsplit(live_server).port
    tabs = []
    for _ in range(2):
        tab = Session(port)
        tab.login(world.leader.email, PASSWORD)
        tabs.append(tab)
    barrier = threading.Barrier(2)
    answers: list[list[tuple[int, dict]]] = [[], []]

    def carry_on(index):
        barrier.wait(timeout=20)
        while True:
            status, body = tabs[index].post_json(f"/exports/{export_id}/step", {})
            answer = json.loads(body) if status == 200 else {}
            answers[index].append((status, answer))
            if status != 200 or answer["state"] != "building":
                return
            if answer["busy"]:
                clock.sleep(0.05)

    threads = [threading.Thread(target=carry_on, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = {status for tab in answers for status, _answer in tab}
    assert statuses == {200}
    assert any(answer["busy"] for tab in answers for _status, answer in tab)  # they did meet
    assert all(tab[-1][1]["state"] == "ready" for tab in answers)
    with zipfile.ZipFile(services.file_of(db.session.get(PlanExport, export_id))) as archive:
        assert archive.testzip() is None
        assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == 5
    assert renderer.calls == 5
    for tab in tabs:
        tab.conn.close()


def test_expired_exports_are_deleted_by_the_command_too(app, renderer):
    world, other = cohort_with_plans()
    export = services.start_export(world.assignment, world.leader, locale="en")
    db.session.commit()
    with app.test_request_context():
        services.run_to_end(export.id)
    path = services.file_of(export)
    assert path.is_file()
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["exports", "forget-expired"])
    assert result.exit_code == 0 and "1 expired export deleted" in result.output
    assert not path.exists()


def test_an_assignment_without_submissions_exports_its_csv_and_readme(app, client, renderer):
    world = World(title="Anna")
    login(client, world.leader.email)
    export_id = start(client, world)
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "No plan has been submitted yet: the zip will hold the students&#39; CSV and the README." in page
    answer = step_json(client, export_id)
    assert (answer["state"], answer["total"], answer["percent"]) == ("ready", 0, 100)
    archive = zip_of(client, answer["download"])
    assert sorted(archive.namelist()) == ["README.txt", "anna-students.csv"]
    assert "Olga Owner" in archive.read("anna-students.csv").decode("utf-8-sig")


@pytest.mark.parametrize("locale, done, total, expected", [
    ("en", 0, 1, "0 of 1 plan added to the zip."), ("en", 1, 3, "1 of 3 plans added to the zip."),
    ("en", 1, 1, "The one plan is in. Putting the zip together…"),
    ("nb", 0, 1, "0 av 1 plan er lagt i zip-filen."), ("nb", 2, 3, "2 av 3 planer er lagt i zip-filen."),
])
def test_the_progress_counts_one_plan_in_the_singular(app, locale, done, total, expected):
    with app.test_request_context(), force_locale(locale):
        assert progress_message(services.Progress(export_id=1, state="building", done=done, total=total)) == expected


def test_with_a_job_queue_a_worker_makes_the_export_and_the_page_only_shows_how_far_it_has_come(app, client, renderer,
                                                                                                monkeypatch):
    handed = []
    monkeypatch.setitem(jobs.celery.conf, "task_always_eager", False)  # as with CELERY_BROKER_URL set
    monkeypatch.setattr(jobs, "start", lambda job, *args: handed.append((job, args)))
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    export_id = start(client, world)
    assert handed == [("exports.run_to_end", (export_id,))]  # handed to a worker once the start was committed
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "It is made in the background" in page and "Show how far it has come" in page
    answer = step_json(client, export_id)
    assert (answer["state"], answer["done"], answer["busy"]) == ("building", 0, True)  # the page adds nothing
    assert renderer.calls == 0

    export_tasks.run_to_end(export_id)  # what the worker runs, in an application context of its own
    db.session.expire_all()
    assert step_json(client, export_id)["state"] == "ready"
    with zipfile.ZipFile(services.file_of(db.session.get(PlanExport, export_id))) as archive:
        assert archive.testzip() is None


def test_an_export_whose_worker_is_not_seen_for_a_while_is_carried_on_by_its_page(app, client, renderer, monkeypatch):
    monkeypatch.setitem(jobs.celery.conf, "task_always_eager", False)
    monkeypatch.setattr(jobs, "start", lambda job, *args: None)  # a worker that never comes
    world, other = cohort_with_plans()
    login(client, world.leader.email)
    export_id = start(client, world)
    assert step_json(client, export_id)["done"] == 0
    export = db.session.get(PlanExport, export_id)
    export.worker_seen_at = utcnow() - timedelta(seconds=app.config["EXPORT_CLAIM_STALE"] + 1)
    db.session.commit()
    assert step_json(client, export_id)["state"] == "ready"
