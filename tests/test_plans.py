"""Drafting, autosave and conflicts, submitting, withdrawing, history, diffs, print and PDF, over HTTP."""
from __future__ import annotations

import copy
from datetime import UTC, timedelta

import pytest

from app.db import db, utcnow
from app.plans import services as plan_services
from app.plans.models import PlanVersion
from app.plans.states import PlanState
from tests.conftest import QueryCounter, csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World


def autosave(client, plan_id, token, content):
    return client.post(f"/plans/{plan_id}/draft", json={"save_token": token, "content": content},
                       headers={"X-CSRFToken": csrf_token(client)})


@pytest.fixture
def world(app):
    return World()


def test_student_sees_assignment_and_starts_a_plan(client, app):
    from app.cohorts.models import Role
    from tests.factories import AssignmentFactory, member

    assignment = AssignmentFactory(title="Plan for Anna")
    student = member(assignment.cohort, Role.student)
    login(client, student.email)
    html = client.get("/plans").get_data(as_text=True)
    assert "Plan for Anna" in html and "Start my plan" in html
    response = post(client, f"/assignments/{assignment.id}/plan")
    assert response.status_code == 302 and "/plans/" in response.headers["Location"]
    # starting twice opens the same plan
    again = post(client, f"/assignments/{assignment.id}/plan")
    assert again.headers["Location"] == response.headers["Location"]
    editor = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "What matters to me" in editor and "Anna" in editor and "Referral letter" in editor


def test_autosave_stores_the_draft_and_moves_the_token(client, world):
    login(client, world.owner.email)
    response = autosave(client, world.plan.id, 0, GOOD_CONTENT)
    assert response.status_code == 200
    body = response.get_json()
    assert body["save_token"] == 1 and body["saved_label"].startswith("Saved")
    db.session.refresh(world.plan)
    assert world.plan.draft["goals"][0]["text"] == "I want my own flat"


def test_stale_save_is_refused_with_409_and_both_texts_survive(make_client, world):
    tab_a, tab_b = make_client(), make_client()
    login(tab_a, world.owner.email)
    login(tab_b, world.owner.email)
    first = copy.deepcopy(GOOD_CONTENT)
    first["sections"]["what_matters"] = "Written in tab A"
    assert autosave(tab_a, world.plan.id, 0, first).status_code == 200
    second = copy.deepcopy(GOOD_CONTENT)
    second["sections"]["what_matters"] = "Written in tab B"
    conflict = autosave(tab_b, world.plan.id, 0, second)
    assert conflict.status_code == 409
    body = conflict.get_json()
    assert body["conflict"] is True and body["current"]["sections"]["what_matters"] == "Written in tab A"
    assert body["save_token"] == 1
    db.session.refresh(world.plan)
    assert world.plan.draft["sections"]["what_matters"] == "Written in tab A"
    # tab B chooses to keep its own text with the newer token: it is saved, nothing was silently overwritten
    assert autosave(tab_b, world.plan.id, body["save_token"], second).status_code == 200
    db.session.refresh(world.plan)
    assert world.plan.draft["sections"]["what_matters"] == "Written in tab B"


def test_autosave_answers_with_its_own_token_when_another_save_lands_right_after_its_commit(client, world, monkeypatch):
    """Another tab's save committed between this save's commit and its answer must not lend this tab its token:
    with that token this tab would overwrite the other text without ever seeing a conflict."""
    from flask import has_request_context
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    from app.plans.models import Plan

    login(client, world.owner.email)
    other = copy.deepcopy(GOOD_CONTENT)
    other["sections"]["what_matters"] = "Written in the other tab"
    landed = []

    def other_tab_saves(*_args):
        if has_request_context() and not landed:
            landed.append(True)
            with db.engine.begin() as conn:
                conn.execute(db.update(Plan).where(Plan.id == world.plan.id)
                             .values(draft=other, save_token=Plan.save_token + 1))

    saved_by_itself = plan_services.save_own_draft

    def then_the_other_tab(*args):
        # The usual autosave is one statement that commits as it runs (`one_statement`): done, it has landed.
        saved = saved_by_itself(*args)
        other_tab_saves()
        return saved

    monkeypatch.setattr(plan_services, "save_own_draft", then_the_other_tab)
    event.listen(Session, "after_commit", other_tab_saves)
    try:
        response = autosave(client, world.plan.id, 0, GOOD_CONTENT)
    finally:
        event.remove(Session, "after_commit", other_tab_saves)
    assert landed and response.status_code == 200
    assert response.get_json()["save_token"] == 1
    again = autosave(client, world.plan.id, 1, GOOD_CONTENT)
    assert again.status_code == 409
    assert again.get_json()["current"]["sections"]["what_matters"] == "Written in the other tab"


def test_form_save_without_javascript_and_its_conflict_page(client, world):
    login(client, world.owner.email)
    data = {"save_token": "0", "section-what_matters": "I want a home.", "goal-0-id": "", "goal-0-text": "Own flat",
            "goal-0-timeframe": "by May", "measure-0-id": "", "measure-0-what": "Apply", "measure-0-service": "NAV",
            "measure-0-role": "Adviser", "measure-0-due": "June", "measure-0-goal_id": ""}
    response = post(client, f"/plans/{world.plan.id}", data)
    assert response.status_code == 302
    db.session.refresh(world.plan)
    assert world.plan.draft["goals"][0]["text"] == "Own flat" and world.plan.save_token == 1
    stale = post(client, f"/plans/{world.plan.id}", dict(data, **{"section-what_matters": "Other text"}))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Other text" in html and "I want a home." in html  # both texts on the page


def test_bad_autosave_payloads_are_clear_errors(client, world):
    login(client, world.owner.email)
    token = csrf_token(client)
    r = client.post(f"/plans/{world.plan.id}/draft", data="not json", headers={"X-CSRFToken": token,
                                                                              "Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    r = autosave(client, world.plan.id, 0, {"sections": "nope"})
    assert r.status_code == 400 and "sections" in r.get_json()["error"]
    r = autosave(client, world.plan.id, 0, {"sections": {"what_matters": "x" * 20_001}})
    assert r.status_code == 400
    r = client.post(f"/plans/{world.plan.id}/draft", json={"save_token": 0, "content": GOOD_CONTENT})
    assert r.status_code == 400  # no CSRF header


def test_submit_freezes_a_version_and_double_submit_makes_one(client, world):
    world.write()
    login(client, world.owner.email)
    ask = client.get(f"/plans/{world.plan.id}/submit")
    assert "Submit version 1" in ask.get_data(as_text=True)
    token = world.plan.save_token
    first = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": token})
    second = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": token})
    assert first.status_code == 302 and second.status_code == 302
    versions = db.session.scalars(db.select(PlanVersion).where(PlanVersion.plan_id == world.plan.id)).all()
    assert len(versions) == 1 and versions[0].number == 1
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.submitted
    # the frozen version does not change when the draft could change later
    assert versions[0].content["goals"][0]["text"] == "I want my own flat"
    history = client.get(f"/plans/{world.plan.id}/history").get_data(as_text=True)
    assert "Version 1" in history and "Submitted" in history


def test_editing_is_refused_while_submitted(client, world):
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    r = autosave(client, world.plan.id, world.plan.save_token, GOOD_CONTENT)
    assert r.status_code == 409 and "cannot be edited" in r.get_json()["error"]


def test_empty_plan_cannot_be_submitted(client, world):
    login(client, world.owner.email)
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": 0})
    assert r.status_code == 400 and "The plan is empty" in r.get_data(as_text=True)


def test_late_submission_refused_when_not_allowed(client, app):
    now = utcnow()
    world = World(opens_at=now - timedelta(days=10), due_at=now - timedelta(days=1),
                  review_due_at=now + timedelta(days=5), allow_late=False)
    world.write()
    login(client, world.owner.email)
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token})
    assert r.status_code == 400 and "does not accept late submissions" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PlanVersion.id))) == 0


def test_late_submission_accepted_and_marked(client, app):
    now = utcnow()
    world = World(opens_at=now - timedelta(days=10), due_at=now - timedelta(days=1),
                  review_due_at=now + timedelta(days=5), allow_late=True)
    world.write()
    login(client, world.owner.email)
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token},
             follow_redirects=True)
    assert "marked late" in r.get_data(as_text=True)
    version = db.session.scalar(db.select(PlanVersion))
    assert version.late is True


def test_withdraw_until_review_starts(client, world):
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    ask = post(client, f"/plans/{world.plan.id}/withdraw")
    assert "Withdraw your submission?" in ask.get_data(as_text=True)
    done = post(client, f"/plans/{world.plan.id}/withdraw", {"confirmed": "yes"})
    assert done.status_code == 302
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.draft
    assert world.plan.versions[0].withdrawn_at is not None
    assert "Withdrawn" in client.get(f"/plans/{world.plan.id}/history").get_data(as_text=True)
    # resubmitting makes version 2
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token})
    assert r.status_code == 302
    db.session.refresh(world.plan)
    assert [v.number for v in world.plan.versions] == [1, 2]


def test_withdraw_refused_once_review_started(client, world):
    world.to_state(PlanState.in_review)
    login(client, world.owner.email)
    r = post(client, f"/plans/{world.plan.id}/withdraw", {"confirmed": "yes"})
    assert r.status_code == 409 and "cannot be withdrawn" in r.get_data(as_text=True)
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.in_review


def test_first_save_after_return_revises_the_plan(client, world):
    world.to_state(PlanState.returned)
    login(client, world.owner.email)
    changed = copy.deepcopy(GOOD_CONTENT)
    changed["sections"]["what_matters"] = "I want a home of my own, with Luna, near Hilde."
    r = autosave(client, world.plan.id, world.plan.save_token, changed)
    assert r.status_code == 200 and r.get_json()["state"] == "draft"


def test_diff_between_versions_section_by_section(client, world):
    world.to_state(PlanState.returned)
    login(client, world.owner.email)
    changed = copy.deepcopy(GOOD_CONTENT)
    changed["sections"]["what_matters"] = "I want a home of my own with Luna and Hilde nearby."
    changed["goals"].append({"id": "g2", "text": "I want to cook again", "timeframe": "by summer"})
    changed["measures"][0]["due"] = "1 July"
    autosave(client, world.plan.id, world.plan.save_token, changed)
    db.session.refresh(world.plan)
    post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token})
    html = client.get(f"/plans/{world.plan.id}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins>" in html and "Hilde" in html and "nearby." in html
    assert "I want to cook again" in html and "added" in html
    assert "<del><span class=\"visually-hidden\">removed: </span>15</del>" in html or "15 June" in html
    assert client.get(f"/plans/{world.plan.id}/diff?from=1&to=9").status_code == 400


def test_print_and_pdf(client, world):
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    html = client.get(f"/plans/{world.plan.id}/print").get_data(as_text=True)
    assert "Anna" in html and "Version 1" in html and world.assignment.title in html
    assert client.get(f"/plans/{world.plan.id}/versions/1/print").status_code == 200
    pdf = client.get(f"/plans/{world.plan.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "Anna" in text and "Version 1" in text and "I want my own flat" in text


PLAN_ROUTES = [
    ("get", "/plans/{id}"), ("post", "/plans/{id}"), ("get", "/plans/{id}/history"),
    ("get", "/plans/{id}/versions/1"), ("get", "/plans/{id}/diff?from=1&to=1"), ("get", "/plans/{id}/print"),
    ("get", "/plans/{id}/pdf"), ("post", "/plans/{id}/draft"), ("post", "/plans/{id}/submit"),
    ("post", "/plans/{id}/withdraw"), ("post", "/plans/{id}/preview"), ("get", "/plans/{id}/versions/1/print"),
]


@pytest.mark.parametrize("method,route", PLAN_ROUTES)
def test_another_student_gets_404_on_every_plan_route(make_client, world, method, route):
    world.to_state(PlanState.submitted)
    url = route.format(id=world.plan.id)
    intruder = make_client()
    login(intruder, world.other_student.email)
    token = csrf_token(intruder)
    if method == "get":
        response = intruder.get(url)
    else:
        response = intruder.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})
    assert response.status_code == 404
    anonymous = make_client()
    response = anonymous.get(url) if method == "get" else anonymous.post(url, headers={"X-CSRFToken": csrf_token(anonymous)})
    assert response.status_code in (302, 401, 400)
    if method == "get":
        assert "/login" in response.headers["Location"]


def test_unallocated_instructor_gets_403_and_leader_can_read(make_client, world):
    world.to_state(PlanState.submitted)
    instructor = make_client()
    login(instructor, world.instructor.email)
    assert instructor.get(f"/plans/{world.plan.id}").status_code == 403
    leader = make_client()
    login(leader, world.leader.email)
    assert leader.get(f"/plans/{world.plan.id}").status_code == 200
    assert leader.get(f"/plans/{world.plan.id}/history").status_code == 200
    # but only the owner writes
    r = autosave(leader, world.plan.id, world.plan.save_token, GOOD_CONTENT)
    assert r.status_code == 403


def test_leader_creates_and_edits_an_assignment_and_date_changes_are_audited(client, app):
    from app.assignments.models import Assignment
    from app.audit.models import AuditEntry
    from app.cohorts.models import Role
    from tests.factories import CohortFactory, case_version, member, rubric_version

    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    cv, rv = case_version("anna"), rubric_version()
    login(client, leader.email)
    form = {"title": "Plan for Anna", "instructions": "", "case_version_id": cv.id, "rubric_version_id": rv.id,
            "opens_at": "2026-01-10T09:00", "due_at": "2026-01-05T09:00", "review_due_at": "2026-02-01T09:00"}
    bad = post(client, f"/cohorts/{cohort.id}/assignments/new", form)
    assert bad.status_code == 400 and "due date must come after" in bad.get_data(as_text=True)
    assert 'value="Plan for Anna"' in bad.get_data(as_text=True)
    form["due_at"] = "2026-01-20T09:00"
    ok = post(client, f"/cohorts/{cohort.id}/assignments/new", form)
    assert ok.status_code == 302
    assignment = db.session.scalar(db.select(Assignment))
    assert assignment.opens_at.hour == 8  # 09:00 in Oslo is 08:00 UTC in winter
    form["due_at"] = "2026-01-25T09:00"
    assert post(client, f"/assignments/{assignment.id}/edit", form).status_code == 302
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "assignment.date_changed"))
    assert entry.data["field"] == "due_at"
    student = member(cohort, Role.student)
    other = client.application.test_client()
    login(other, student.email)
    assert other.get(f"/assignments/{assignment.id}/edit").status_code == 403
    assert other.get(f"/cohorts/{cohort.id}/assignments/new").status_code == 403


def test_case_beside_the_plan_is_the_plans_own_case_version_and_language(make_client, app, tmp_path):
    """The panel beside the plan is kept between requests: it must still follow the plan's case, its version
    (a plan keeps the version it started on), the plan's language and the interface language."""
    from app.plans import services
    from tests.factories import AssignmentFactory, case_version
    from tests.test_case_library import second_version_of_anna

    def panel(client, plan_id):
        page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
        return page[page.index('id="case-panel"'):]

    anna_world = World()
    odd = AssignmentFactory(cohort=anna_world.cohort, case_version=case_version("odd"))
    odd_plan = services.start_plan(odd, anna_world.owner)
    db.session.commit()
    client = make_client()
    login(client, anna_world.owner.email)
    assert "fish soup" in panel(client, anna_world.plan.id)
    odd_panel = panel(client, odd_plan.id)
    assert "Odd" in odd_panel and "fish soup" not in odd_panel and "Anna" not in odd_panel.split("</h2>")[0]

    second_version_of_anna(tmp_path)  # a new version of Anna: a new plan gets it, the old plan keeps its own
    newer = AssignmentFactory(cohort=anna_world.cohort, case_version=case_version("anna"))
    newer_plan = services.start_plan(newer, anna_world.owner)
    db.session.commit()
    assert "fish stew" in panel(client, newer_plan.id) and "fish soup" not in panel(client, newer_plan.id)
    assert "fish soup" in panel(client, anna_world.plan.id)

    post(client, "/locale", {"locale": "nb", "next": f"/plans/{anna_world.plan.id}"})
    norwegian = panel(client, anna_world.plan.id)
    assert "<h3>Casen</h3>" in norwegian and "<h3>Vurderingsveiledningen</h3>" in norwegian
    leader = make_client()
    login(leader, anna_world.leader.email)
    assert "<h3>The case</h3>" in panel(leader, anna_world.plan.id)


def test_kept_parts_of_the_plan_pages_follow_every_change(make_client, world):
    """The editor's rows, the plan as it reads, its links and the main menu are kept between requests: each page
    must still show the plan's latest text, its versions and the reader's language."""
    student = make_client()
    login(student, world.owner.email)
    assert 'name="section-what_matters"' in student.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    first = copy.deepcopy(GOOD_CONTENT)
    assert autosave(student, world.plan.id, 0, first).status_code == 200
    page = student.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "I want a home of my own with Luna." in page and "Goal 1: I want my own flat" in page
    assert "History (0)" in page and "Compare versions" not in page

    second = copy.deepcopy(GOOD_CONTENT)
    second["sections"]["what_matters"] = "A place where Luna is welcome."
    second["goals"].append({"id": "g2", "text": "See my son every week", "timeframe": ""})
    assert autosave(student, world.plan.id, 1, second).status_code == 200
    page = student.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "A place where Luna is welcome." in page and "I want a home of my own with Luna." not in page
    assert "Goal 2: See my son every week" in page and 'name="goal-2-text"' in page

    assert post(student, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": 2}).status_code == 302
    page = student.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "<textarea" not in page and "A place where Luna is welcome." in page
    assert "History (1)" in page and f'href="/plans/{world.plan.id}/feedback"' in page

    post(student, "/locale", {"locale": "nb", "next": "/"})
    page = student.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Historikk (1)" in page and "A place where Luna is welcome." in page
    assert "History (1)" not in page

    # Someone else on the same plan sees their own menu and links, not the student's.
    leader = make_client()
    login(leader, world.leader.email)
    page = leader.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "History (1)" in page and "Historikk" not in page and "A place where Luna is welcome." in page
    assert f'href="/plans/{world.plan.id}/review"' in page
    assert f'href="/plans/{world.plan.id}/review"' not in student.get(f"/plans/{world.plan.id}").get_data(as_text=True)


def test_an_autosave_to_someone_elses_plan_writes_nothing(make_client, world):
    """The usual autosave is one conditional write; it must still only ever write the student's own draft."""
    other = make_client()
    login(other, world.other_student.email)
    assert autosave(other, world.plan.id, 0, GOOD_CONTENT).status_code == 404
    db.session.refresh(world.plan)
    assert world.plan.save_token == 0 and world.plan.draft.get("goals", []) == []
    world.to_state(PlanState.submitted)
    before = copy.deepcopy(world.plan.draft)
    owner = make_client()
    login(owner, world.owner.email)
    changed = copy.deepcopy(GOOD_CONTENT)
    changed["sections"]["what_matters"] = "Changed after submitting"
    assert autosave(owner, world.plan.id, world.plan.save_token, changed).status_code in (400, 409)
    db.session.refresh(world.plan)
    assert world.plan.draft == before and world.plan.state == PlanState.submitted


def test_the_plan_page_reads_the_account_and_the_plan_and_nothing_more(make_client, world):
    """What a student reopens most: two statements, the account with its roles and the plan with what the page
    shows of its assignment, case and rubric (a lazy load for a column left out would add one per page)."""
    student = make_client()
    login(student, world.owner.email)
    assert autosave(student, world.plan.id, 0, GOOD_CONTENT).status_code == 200
    url, title = f"/plans/{world.plan.id}", world.assignment.title
    student.get(url)  # the kept parts of this text are rendered once
    db.session.commit()
    with QueryCounter() as counter:
        page = student.get(url)
    assert page.status_code == 200 and title in page.get_data(as_text=True)
    assert counter.count == 2, "\n\n".join(counter.statements)


def test_an_autosave_reads_the_account_alone_and_writes_in_one_statement(make_client, world):
    """The request a class sends most: the account (no roles, no unread count: it shows no page) and the
    conditional write of the draft; the answer still says when it was saved, in the reader's clock."""
    student = make_client()
    login(student, world.owner.email)
    assert autosave(student, world.plan.id, 0, GOOD_CONTENT).status_code == 200
    token, url = csrf_token(student), f"/plans/{world.plan.id}/draft"
    db.session.commit()
    with QueryCounter() as counter:
        answer = student.post(url, json={"save_token": 1, "content": GOOD_CONTENT},
                              headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json()["save_token"] == 2
    assert answer.get_json()["saved_label"].startswith("Saved ")
    assert counter.count == 2, "\n\n".join(counter.statements)
    assert "memberships" not in counter.statements[0] and "notifications" not in counter.statements[0]
    # The page itself still reads the roles with the account, for its menu.
    page = url.removesuffix("/draft")
    with QueryCounter() as counter:
        assert student.get(page).status_code == 200
    assert "memberships" in counter.statements[0]


def test_due_dates_read_to_the_minute_in_the_readers_language(client, app):
    """A due date says the day and the minute in the reader's time zone (Oslo): seconds mean nothing there."""
    from datetime import datetime

    due = datetime(2026, 12, 7, 13, 30, 45, tzinfo=UTC)
    world = World(opens_at=due - timedelta(days=400), due_at=due, review_due_at=due + timedelta(days=7))
    login(client, world.owner.email)
    editor = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Due Dec 7, 2026 2:30\u202fPM" in editor or "Due Dec 7, 2026 2:30 PM" in editor
    assert "2:30:45" not in editor
    world.owner.locale = "nb"
    db.session.commit()
    editor = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "7. des. 2026 14:30" in editor and "14:30:45" not in editor
    assert "7. des. 2026 14:30" in client.get("/plans").get_data(as_text=True)


def test_confirmation_page_stops_an_empty_plan(client, world):
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert "The plan is empty" in page and "Back to the editor" in page
    assert 'name="confirmed"' not in page


def test_confirmation_page_stops_a_nearly_empty_plan_and_the_service_refuses_it(client, world):
    world.write({"sections": {"what_matters": "I want a flat."}, "goals": [], "measures": []})
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert "only 4 words" in page and "no goal and no measure" in page and 'name="confirmed"' not in page
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token})
    assert r.status_code == 400 and "only 4 words" in r.get_data(as_text=True)
    assert world.plan.state == PlanState.draft


def test_confirmation_page_offers_to_submit_a_ready_plan(client, world):
    world.write()
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert "not ready" not in page and 'name="confirmed"' in page
