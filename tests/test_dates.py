"""Dates read one way everywhere: "Dec 7, 2026 2:00 PM" (in Norwegian "7. des. 2026 14:00"), in the reader's time
zone, on every page that shows one; the dashboard's CSV gives them in ISO 8601 with the offset."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from app.db import db
from app.notifications.models import Notification
from app.plans.states import PlanState
from tests.conftest import login
from tests.factories import UserFactory
from tests.plan_helpers import World

DUE = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 14:00 in Oslo
REVIEW_DUE = datetime(2026, 12, 21, 8, 30, tzinfo=UTC)  # 09:30 in Oslo
SUBMITTED = datetime(2026, 12, 6, 22, 5, tzinfo=UTC)  # 23:05 in Oslo, the same day
CREATED = datetime(2026, 11, 2, 7, 15, tzinfo=UTC)  # 08:15 in Oslo

READS = {
    "en": {DUE: "Dec 7, 2026 2:00 PM", REVIEW_DUE: "Dec 21, 2026 9:30 AM", SUBMITTED: "Dec 6, 2026 11:05 PM",
           CREATED: "Nov 2, 2026 8:15 AM"},
    "nb": {DUE: "7. des. 2026 14:00", REVIEW_DUE: "21. des. 2026 09:30", SUBMITTED: "6. des. 2026 23:05",
           CREATED: "2. nov. 2026 08:15"},
}
# The other ways dates used to read: Babel's "short" forms and a bare year-month-day.
OTHER_WAYS = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{2}\.\d{2}\.\d{4}\b|\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")


@pytest.fixture()
def world(app):
    world = World(due_at=DUE, review_due_at=REVIEW_DUE, allow_late=True)
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    world.plan.versions[0].submitted_at = SUBMITTED
    world.assignment.cohort.created_at = CREATED
    db.session.add(Notification(user_id=world.reviewer.id, kind="submitted", plan_id=world.plan.id, params={},
                                created_at=CREATED))
    db.session.commit()
    return world


def page_as(make_client, user, url, lang):
    user.locale = lang
    db.session.commit()
    client = make_client()
    login(client, user.email)
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def reads_one_way(html: str, *moments, lang: str) -> None:
    html = html.replace("\u202f", " ")  # the narrow space before AM and PM
    for moment in moments:
        assert READS[lang][moment] in html, READS[lang][moment]
    assert not OTHER_WAYS.findall(re.sub(r"<[^>]+>", " ", html)), OTHER_WAYS.findall(html)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_reviewers_pages_read_dates_one_way(make_client, world, lang):
    queue = page_as(make_client, world.reviewer, "/reviews", lang)
    reads_one_way(queue, SUBMITTED, REVIEW_DUE, lang=lang)
    notes = page_as(make_client, world.reviewer, "/notifications/", lang)
    reads_one_way(notes, CREATED, lang=lang)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_course_leaders_pages_read_dates_one_way(make_client, world, lang):
    cohorts = page_as(make_client, UserFactory(is_admin=True), "/cohorts/", lang)
    reads_one_way(cohorts, CREATED, lang=lang)
    cohort = page_as(make_client, world.leader, f"/cohorts/{world.cohort.id}", lang)
    reads_one_way(cohort, DUE, lang=lang)
    allocation = page_as(make_client, world.leader, f"/assignments/{world.assignment.id}/allocation", lang)
    reads_one_way(allocation, SUBMITTED, lang=lang)
    dashboard = page_as(make_client, world.leader, f"/assignments/{world.assignment.id}/dashboard", lang)
    reads_one_way(dashboard, DUE, REVIEW_DUE, SUBMITTED, lang=lang)


def test_the_dashboard_csv_gives_iso_8601_with_the_offset(make_client, world):
    client = make_client()
    login(client, world.leader.email)
    answer = client.get(f"/assignments/{world.assignment.id}/dashboard.csv?table=students")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows if r["Student"] == world.owner.name)
    assert row["Waiting since"] == "2026-12-06T23:05+01:00"
    assert datetime.fromisoformat(row["Waiting since"]) == SUBMITTED
    assert datetime.fromisoformat(row["Last activity"]).utcoffset() is not None


def test_a_changed_due_date_reads_one_way_in_the_audit_log(make_client, world):
    from app.assignments import services as assignment_services

    assignment_services.update_assignment(world.assignment, world.leader, due_at=datetime(2026, 12, 8, 13, 0,
                                                                                             tzinfo=UTC))
    db.session.commit()
    log = page_as(make_client, world.leader, f"/cohorts/{world.cohort.id}/audit", "en")
    assert "Dec 7, 2026 2:00 PM → Dec 8, 2026 2:00 PM" in log.replace("\u202f", " ")
