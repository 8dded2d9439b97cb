"""The audit log pages (administrators: all; course leaders: their cohort), their filters and pages, and closing
and reopening an assignment, which the log records."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.assignments import services as assignment_services
from app.audit.models import AuditEntry
from app.audit.services import record
from app.cohorts import services as cohort_services
from app.cohorts.models import Role
from app.db import db, utcnow
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import login, post
from tests.factories import CohortFactory, UserFactory, member
from tests.plan_helpers import GOOD_CONTENT, World


@pytest.fixture
def world(app):
    """A plan that went through submit, allocation, a change of reviewer and release; a role and a date change."""
    world = World()
    plan = world.to_state(PlanState.submitted)
    review_services.allocate(plan, world.instructor, world.leader)
    review_services.allocate(plan, world.reviewer, world.leader)
    review_services.save_review(plan, world.reviewer, scores={"language": {"level": "solid"}}, overall="Good")
    review_services.release(plan, world.reviewer)
    member_row = cohort_services.get_member(world.cohort, _membership_id(world.cohort, world.other_student))
    cohort_services.change_role(member_row, Role.instructor, actor=world.leader)
    assignment_services.update_assignment(world.assignment, world.leader,
                                          due_at=world.assignment.due_at + timedelta(days=2))
    db.session.commit()
    return world


def _membership_id(cohort, user):
    from app.cohorts.models import Membership

    return db.session.scalar(db.select(Membership.id).where(Membership.cohort_id == cohort.id,
                                                            Membership.user_id == user.id))


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_leader_reads_the_cohorts_log_newest_first(client, world):
    login(client, world.leader.email)
    response = client.get(f"/cohorts/{world.cohort.id}/audit")
    assert response.status_code == 200
    lines = rows(response.get_data(as_text=True))
    assert "Assignment edited" in lines[0] and "due date" in lines[0]  # recorded together, newest first
    assert "Assignment date changed" in lines[1] and "due date" in lines[1]
    text = "\n".join(lines)
    for expected in ("Plan submitted", "Plan by Olga Owner: Draft → Submitted, version 1",
                     "Reviewer allocated or changed", "reviewer Rita Reviewer (was Ivar Instructor)",
                     "Feedback released", "Plan by Olga Owner: In review → Feedback returned",
                     "Role changed", "Otto Other: student → instructor"):
        assert expected in text, expected
    times = re.findall(r'<time datetime="([^"]+)"', response.get_data(as_text=True))
    assert times == sorted(times, reverse=True)


def test_filter_by_kind_and_group(client, world):
    login(client, world.leader.email)
    url = f"/cohorts/{world.cohort.id}/audit"
    releases = rows(client.get(url + "?kind=plan.release").get_data(as_text=True))
    assert len(releases) == 1 and "Feedback released" in releases[0]
    allocations = rows(client.get(url + "?kind=plan.allocate").get_data(as_text=True))
    assert len(allocations) == 2
    transitions = rows(client.get(url + "?kind=plan.").get_data(as_text=True))
    assert len(transitions) == 5  # submit, allocate twice, start review, release
    roles = rows(client.get(url + "?kind=membership.role_changed").get_data(as_text=True))
    assert len(roles) == 1 and "Otto Other" in roles[0]
    dates = rows(client.get(url + "?kind=assignment.date_changed").get_data(as_text=True))
    assert len(dates) == 1
    html = client.get(url).get_data(as_text=True)
    assert '<option value="plan.release"' in html and '<option value="membership.role_changed"' in html


def test_filter_by_person_finds_what_they_did_and_what_happened_to_their_plan(client, world):
    login(client, world.leader.email)
    url = f"/cohorts/{world.cohort.id}/audit"
    by_reviewer = rows(client.get(url + f"?person={world.reviewer.id}").get_data(as_text=True))
    assert len(by_reviewer) == 2 and all("Rita Reviewer" in line for line in by_reviewer)  # start, release
    about_owner = rows(client.get(url + f"?person={world.owner.id}").get_data(as_text=True))
    assert len(about_owner) == 5 and all("Olga Owner" in line for line in about_owner)
    both = rows(client.get(url + f"?person={world.reviewer.id}&kind=plan.release").get_data(as_text=True))
    assert len(both) == 1
    assert rows(client.get(url + "?person=999999").get_data(as_text=True)) == []
    assert client.get(url + "?person=abc&kind=%3Cscript%3E&page=x").status_code == 200
    for hostile in ("?person=99999999999999999999", "?person=%C2%B2", "?page=100000000000000000000",
                    "?kind=" + "x." * 40, "?page=-1&person=-5"):
        response = client.get(url + hostile)
        assert response.status_code == 200, hostile
    assert client.get(url + "?kind=plan.%00").status_code == 400  # NUL is refused everywhere, with a message


def test_pages_of_fifty(client, app):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    start = utcnow() - timedelta(days=1)
    for index in range(120):
        entry = record("membership.added", actor=leader, cohort=cohort, user_id=leader.id, role="student")
        entry.at = start + timedelta(minutes=index)
        entry.data = {"user_id": leader.id, "role": "student", "n": index}
    db.session.commit()
    login(client, leader.email)
    url = f"/cohorts/{cohort.id}/audit?kind=membership.added"
    first = client.get(url).get_data(as_text=True)
    assert len(rows(first)) == 50 and "page 1 of 3" in first and 'rel="next"' in first
    last = client.get(url + "&page=3").get_data(as_text=True)
    assert len(rows(last)) == 20 and 'rel="prev"' in last and 'rel="next"' not in last
    newest = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.at.desc()).limit(1))
    assert newest.data["n"] == 119
    assert client.get(url + "&page=99").status_code == 200


def test_administrators_read_every_cohorts_log(make_client, world):
    other = World()
    record("membership.added", actor=other.leader, cohort=other.cohort, user_id=other.owner.id, role="student")
    db.session.commit()
    admin = make_client()
    login(admin, UserFactory(is_admin=True).email)
    html = admin.get("/audit").get_data(as_text=True)
    assert world.cohort.name in html and other.cohort.name in html
    assert "/audit" in admin.get("/cohorts/").get_data(as_text=True)
    leader = make_client()
    login(leader, world.leader.email)
    cohort_html = leader.get(f"/cohorts/{world.cohort.id}/audit").get_data(as_text=True)
    assert "Member added" not in cohort_html or other.owner.name not in cohort_html
    assert other.cohort.name not in cohort_html


@pytest.mark.parametrize("who, full, cohort_log", [
    ("leader", 403, 200), ("reviewer", 403, 403), ("owner", 403, 403), ("admin", 200, 200),
    ("leader_elsewhere", 403, 404), ("stranger", 403, 404)])
def test_access_to_the_logs(make_client, world, who, full, cohort_log):
    people = {"leader": world.leader, "reviewer": world.reviewer, "owner": world.owner,
              "admin": UserFactory(is_admin=True), "stranger": UserFactory(),
              "leader_elsewhere": member(CohortFactory(), Role.leader)}
    client = make_client()
    login(client, people[who].email)
    assert client.get("/audit").status_code == full
    assert client.get(f"/cohorts/{world.cohort.id}/audit").status_code == cohort_log


def test_anonymous_visitors_are_sent_to_sign_in(make_client, world):
    for url in ("/audit", f"/cohorts/{world.cohort.id}/audit"):
        response = make_client().get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- closing and reopening an assignment ---------------------------------------------------------------------

def test_closing_asks_first_refuses_new_submissions_and_reviews_go_on(make_client, app):
    world = World()
    waiting = member(world.cohort, Role.student, name="Wanda Waiting")
    waiting_plan = plan_services.start_plan(world.assignment, waiting)
    db.session.flush()
    plan_services.save_draft(waiting_plan, waiting, waiting_plan.save_token, GOOD_CONTENT)
    plan_services.submit(waiting_plan, waiting, waiting_plan.save_token)
    world.write()
    db.session.commit()

    leader = make_client()
    login(leader, world.leader.email)
    ask = post(leader, f"/assignments/{world.assignment.id}/close")
    assert ask.status_code == 200 and "Students can no longer submit plans" in ask.get_data(as_text=True)
    assert world.assignment.closed_at is None
    assert post(leader, f"/assignments/{world.assignment.id}/close", {"confirmed": "yes"}).status_code == 302
    db.session.refresh(world.assignment)
    assert world.assignment.closed_at is not None
    html = leader.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "closed" in html and f"/assignments/{world.assignment.id}/reopen" in html

    student = make_client()
    login(student, world.owner.email)
    refused = post(student, f"/plans/{world.plan.id}/submit", {"save_token": world.plan.save_token,
                                                               "confirmed": "yes"})
    assert refused.status_code == 400
    assert "This assignment is closed; no new submissions are accepted." in refused.get_data(as_text=True)
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.draft and not world.plan.versions

    # reviews of plans already submitted go on
    review_services.allocate(waiting_plan, world.reviewer, world.leader)
    review_services.save_review(waiting_plan, world.reviewer, scores={}, overall="Thank you")
    review_services.release(waiting_plan, world.reviewer)
    db.session.commit()
    assert waiting_plan.state == PlanState.returned

    assert post(leader, f"/assignments/{world.assignment.id}/reopen").status_code == 302
    db.session.refresh(world.assignment)
    assert world.assignment.closed_at is None
    accepted = post(student, f"/plans/{world.plan.id}/submit", {"save_token": world.plan.save_token,
                                                                "confirmed": "yes"})
    assert accepted.status_code == 302
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.submitted
    kinds = db.session.scalars(db.select(AuditEntry.kind).where(AuditEntry.kind.like("assignment.%"))
                               .order_by(AuditEntry.id)).all()
    assert kinds == ["assignment.closed", "assignment.reopened"]


def test_closing_twice_is_a_conflict(client, app):
    world = World()
    login(client, world.leader.email)
    assert post(client, f"/assignments/{world.assignment.id}/close", {"confirmed": "yes"}).status_code == 302
    assert post(client, f"/assignments/{world.assignment.id}/close", {"confirmed": "yes"}).status_code == 409
    assert post(client, f"/assignments/{world.assignment.id}/reopen").status_code == 302
    assert post(client, f"/assignments/{world.assignment.id}/reopen").status_code == 409


@pytest.mark.parametrize("who, status", [("reviewer", 403), ("owner", 403), ("stranger", 404)])
def test_only_leaders_close_and_reopen(make_client, app, who, status):
    world = World()
    person = {"reviewer": world.reviewer, "owner": world.owner, "stranger": UserFactory()}[who]
    client = make_client()
    login(client, person.email)
    assert post(client, f"/assignments/{world.assignment.id}/close", {"confirmed": "yes"}).status_code == status
    world.assignment.closed_at = utcnow()
    db.session.commit()
    assert post(client, f"/assignments/{world.assignment.id}/reopen").status_code == status
    db.session.refresh(world.assignment)
    assert world.assignment.closed_at is not None
