"""The course leader's home: per assignment, what waits for them (plans without a reviewer, overdue reviews and
students, feedback released this week), each count leading to the plans behind it; current assignments first;
and a notice when a plan waits for a reviewer."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.cohorts.models import Role
from app.dashboard import services
from app.db import db, utcnow
from app.notifications import services as notification_services
from app.notifications.models import Notification
from app.plans import services as plan_services
from app.reviews import services as review_services
from tests.conftest import QueryCounter, login, outbox
from tests.factories import AssignmentFactory, CohortFactory, member
from tests.plan_helpers import GOOD_CONTENT


def _plan(assignment, student, *, submit=True):
    plan = plan_services.start_plan(assignment, student)
    db.session.flush()
    plan_services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
    if submit:
        plan_services.submit(plan, student, plan.save_token)
    return plan


class Term:
    """One cohort with an assignment past both its dates (so work is overdue) and one student in each situation:

    ada   submitted, no reviewer (waits, review overdue)     ben  submitted, Rita (review overdue)
    cyd   drafting, never submitted (overdue student)        dan  not started (overdue student)
    eli   returned by Rita two days ago (released)           fay  returned by Rita twenty days ago
    """

    def __init__(self, cohort=None, title="Anna, spring"):
        now = utcnow()
        self.assignment = AssignmentFactory(cohort=cohort or CohortFactory(), title=title, allow_late=True,
                                            opens_at=now - timedelta(days=30), due_at=now - timedelta(days=10),
                                            review_due_at=now - timedelta(days=2))
        self.cohort = self.assignment.cohort
        self.leader = member(self.cohort, Role.leader, name="Lena Leader")
        self.rita = member(self.cohort, Role.instructor, name="Rita Reviewer")
        self.s = {key: member(self.cohort, Role.student, name=f"{key.title()} Student")
                  for key in ("ada", "ben", "cyd", "dan", "eli", "fay")}
        self.plans = {key: _plan(self.assignment, self.s[key]) for key in ("ada", "ben", "eli", "fay")}
        self.plans["cyd"] = _plan(self.assignment, self.s["cyd"], submit=False)
        for key in ("ben", "eli", "fay"):
            review_services.allocate(self.plans[key], self.rita, self.leader)
        for key in ("eli", "fay"):
            review_services.save_review(self.plans[key], self.rita, scores={}, overall="Good")
            review_services.release(self.plans[key], self.rita)
        for plan in self.plans.values():  # submitted in time, before the due date
            for version in plan.versions:
                version.submitted_at = now - timedelta(days=12)
        review_services.review_for(self.plans["eli"].latest_version).released_at = now - timedelta(days=2)
        review_services.review_for(self.plans["fay"].latest_version).released_at = now - timedelta(days=20)
        db.session.commit()


@pytest.fixture
def term(app):
    return Term()


def counts(row):
    return (row.waiting, row.overdue_reviews, row.overdue_students, row.released)


def all_rows(user):
    current, earlier = services.leader_home(user)
    return current + earlier


def test_each_count_of_an_assignment(term):
    current, earlier = services.leader_home(term.leader)
    assert current == [] and [row.assignment for row in earlier] == [term.assignment]  # its review date has passed
    assert counts(earlier[0]) == (1, 2, 2, 1)


def test_each_count_leads_to_exactly_the_students_it_counts(term):
    (row,) = all_rows(term.leader)
    dashboard = services.build(term.assignment)
    for key, args in row.links().items():
        shown = services.filtered_students(dashboard, services.Filters.from_args(args))
        assert len(shown) == getattr(row, key), key
    expected = {"waiting": ["Ada"], "overdue_reviews": ["Ada", "Ben"], "overdue_students": ["Cyd", "Dan"],
                "released": ["Eli"]}
    for key, names in expected.items():
        shown = services.filtered_students(dashboard, services.Filters.from_args(row.links()[key]))
        assert [r.name.split()[0] for r in shown] == names, key


def test_nothing_is_overdue_before_the_dates(app):
    world = Term()
    world.assignment.due_at = utcnow() + timedelta(days=1)
    world.assignment.review_due_at = utcnow() + timedelta(days=8)
    db.session.commit()
    current, earlier = services.leader_home(world.leader)
    assert [counts(row) for row in current] == [(1, 0, 0, 1)] and earlier == []


def test_a_leader_sees_only_the_cohorts_they_lead(app):
    spring, autumn = Term(title="Spring"), Term(title="Autumn")
    both = member(spring.cohort, Role.leader, name="Both Cohorts")
    from tests.factories import MembershipFactory
    MembershipFactory(cohort=autumn.cohort, user=both, role=Role.leader)
    teacher = member(autumn.cohort, Role.instructor)
    MembershipFactory(cohort=spring.cohort, user=teacher, role=Role.student)
    assert [r.assignment.title for r in all_rows(spring.leader)] == ["Spring"]
    assert [r.assignment.title for r in all_rows(autumn.leader)] == ["Autumn"]
    assert sorted(r.assignment.title for r in all_rows(both)) == ["Autumn", "Spring"]
    assert services.leader_home(teacher) == ([], [])
    # the counts of one cohort are not mixed into the other's (spring has one more student, who has not started)
    by_title = {r.assignment.title: counts(r) for r in all_rows(both)}
    assert by_title == {"Spring": (1, 2, 3, 1), "Autumn": (1, 2, 2, 1)}


def test_current_assignments_come_first_and_earlier_terms_after(app, client):
    term = Term(title="Just finished")
    now = utcnow()
    cohort = term.cohort
    old = AssignmentFactory(cohort=cohort, title="Last spring", opens_at=now - timedelta(days=300),
                            due_at=now - timedelta(days=280), review_due_at=now - timedelta(days=270))
    older = AssignmentFactory(cohort=cohort, title="Last autumn", opens_at=now - timedelta(days=200),
                              due_at=now - timedelta(days=150), review_due_at=now - timedelta(days=140))
    soon = AssignmentFactory(cohort=cohort, title="Next month", opens_at=now + timedelta(days=2),
                             due_at=now + timedelta(days=30), review_due_at=now + timedelta(days=40))
    running = AssignmentFactory(cohort=cohort, title="Running now", opens_at=now - timedelta(days=20),
                                due_at=now - timedelta(days=1), review_due_at=now + timedelta(days=10))
    current, earlier = services.leader_home(term.leader)
    assert [r.assignment for r in current] == [running, soon]  # the soonest due first
    assert [r.assignment for r in earlier] == [term.assignment, older, old]  # the most recent first
    login(client, term.leader.email)
    html = client.get("/").get_data(as_text=True)
    titles = ("Running now", "Next month", "Earlier assignments", "Just finished", "Last autumn", "Last spring")
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "3 assignments whose review date has passed, the most recent first." in html


def test_the_home_page_links_each_count_to_its_filtered_list(client, term):
    login(client, term.leader.email)
    html = client.get("/").get_data(as_text=True)
    a = term.assignment.id
    expected = {"waiting": f"/assignments/{a}/dashboard?state=submitted&amp;reviewer=none#students",
                "overdue_reviews": f"/assignments/{a}/dashboard?overdue=review#students",
                "overdue_students": f"/assignments/{a}/dashboard?overdue=submission#students",
                "released": f"/assignments/{a}/dashboard?released=week#students"}
    for key, href in expected.items():
        item = re.search(rf'data-count="{key}">\s*<a href="([^"]+)"><span class="stat-number">(\d+)</span>', html)
        assert item, key
        assert item.group(1) == href
    numbers = re.findall(r'<span class="stat-number">(\d+)</span>', html)
    assert numbers == ["1", "2", "2", "1"]
    page = client.get(expected["overdue_students"].replace("&amp;", "&")).get_data(as_text=True)
    assert "Cyd Student" in page and "Dan Student" in page and "Ada Student" not in page
    assert "(2 of 6 shown)" in page


def test_the_home_page_reads_few_statements_however_many_assignments_and_plans(client, app):
    term = Term()
    login(client, term.leader.email)
    with QueryCounter() as few:
        assert client.get("/").status_code == 200
    for n in range(3):
        other = Term(cohort=term.cohort, title=f"More {n}")
        del other
    with QueryCounter() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count <= 3


def test_the_home_counts_speak_norwegian(client, term):
    term.leader.locale = "nb"
    db.session.commit()
    login(client, term.leader.email)
    html = client.get("/").get_data(as_text=True)
    assert "venter på veileder" in html and "waiting for a reviewer" not in html


# --- the notice: a plan waits for a reviewer ------------------------------------------------------------------

def waiting_notices(user):
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id,
                                                                 Notification.kind == "waiting")))


def test_the_cohorts_leaders_are_told_once_when_a_plan_waits_for_a_reviewer(client, app):
    assignment = AssignmentFactory(title="Anna")
    cohort = assignment.cohort
    leaders = [member(cohort, Role.leader, name=f"Leader {n}") for n in (1, 2)]
    elsewhere = member(AssignmentFactory().cohort, Role.leader)
    student = member(cohort, Role.student, name="Siri Student")
    for leader in leaders:  # e-mail for this notice is chosen on the account page
        notification_services.set_email_choices(leader, {"waiting": True})
    db.session.commit()
    plan = _plan(assignment, student)
    db.session.commit()
    for leader in leaders:
        (note,) = waiting_notices(leader)
        assert note.plan_id == plan.id
        (mail,) = [m for m in outbox(leader.email) if m.kind == "notification.waiting"]
        assert "Siri Student" in mail.subject and "Anna" in mail.subject
    assert waiting_notices(elsewhere) == [] and outbox(elsewhere.email) == []
    # withdrawn and submitted anew: nobody is told twice
    plan_services.withdraw(plan, student)
    plan_services.submit(plan, student, plan.save_token)
    db.session.commit()
    assert [len(waiting_notices(leader)) for leader in leaders] == [1, 1]
    assert len([m for m in outbox(leaders[0].email) if m.kind == "notification.waiting"]) == 1
    # the notice opens the allocation page of the assignment
    login(client, leaders[0].email)
    (note,) = waiting_notices(leaders[0])
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/assignments/{assignment.id}/allocation")
    listed = client.get("/notifications/").get_data(as_text=True)
    assert "A plan by Siri Student waits for a reviewer in Anna." in listed


def test_a_resubmission_that_keeps_its_reviewer_does_not_wait(app):
    term = Term()
    newcomer = member(term.cohort, Role.leader, name="New Leader")
    eli = term.plans["eli"]
    plan_services.save_draft(eli, term.s["eli"], eli.save_token, GOOD_CONTENT)
    plan_services.submit(eli, term.s["eli"], eli.save_token)
    db.session.commit()
    assert eli.reviewer_id == term.rita.id and waiting_notices(newcomer) == []
    cyd = term.plans["cyd"]
    plan_services.submit(cyd, term.s["cyd"], cyd.save_token)
    db.session.commit()
    assert [note.plan_id for note in waiting_notices(newcomer)] == [cyd.id]
