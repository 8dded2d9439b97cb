"""The course leader's view of the reviewers: do they agree (on the progress page), and reviewing the reviews
(released reviews, turnaround, helpful comments, calibration offset), as a table, charts and CSV."""
from __future__ import annotations

import csv
import io

from app.calibration import services as calibration
from app.dashboard import services as dashboard_services
from app.db import db
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import login
from tests.plan_helpers import World


def _calibrated_world():
    """Two calibration plans; the reviewer matches the reference, the instructor gives one level lower."""
    world = World()
    world.write()
    plan = world.to_state(PlanState.submitted)
    criteria = plan.rubric_version.criterion_keys()
    for title, reference, lower in (("A", "solid", "emerging"), ("B", "emerging", "not_yet")):
        cal = calibration.mark_version(world.assignment, world.leader, plan.latest_version, title=title, consent=True)
        calibration.save_reference(cal, world.leader, levels={k: reference for k in criteria}, comments={})
        calibration.save_calibration(cal, world.reviewer, levels={k: reference for k in criteria}, comments={},
                                     submit=True)
        calibration.save_calibration(cal, world.instructor, levels={k: lower for k in criteria}, comments={},
                                     submit=True)
    db.session.commit()
    return world, plan, criteria


def test_the_progress_page_tells_whether_the_reviewers_agree(app, client):
    world, plan, criteria = _calibrated_world()
    login(client, world.leader.email)
    page = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    section = page[page.index('id="agreement"'):page.index('id="rubric"')]
    assert "Do the reviewers agree?" in section
    assert "0.67" in section  # two plans, levels (2,1) and (1,0): ordinal alpha 2/3
    assert "one level harsher than the others" in section  # Ivar, one level below Rita
    assert "one level milder than the others" in section
    assert "one level harsher than the reference" in section and "in line with the reference" in section


def test_with_one_shared_plan_the_page_says_what_is_needed(app, client):
    world = World()
    world.write()
    plan = world.to_state(PlanState.submitted)
    cal = calibration.mark_version(world.assignment, world.leader, plan.latest_version, title="A", consent=True)
    criteria = plan.rubric_version.criterion_keys()
    for who in (world.reviewer, world.instructor):
        calibration.save_calibration(cal, who, levels={k: "solid" for k in criteria}, comments={}, submit=True)
    db.session.commit()
    login(client, world.leader.email)
    page = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    assert "not enough data: 1 more plan rated by two or more reviewers is needed" in page


def test_the_ratings_come_from_every_source_given():
    rows = {1: [("u1", 5, "c", "solid")], 2: [("u2", 6, "c", "emerging")]}
    sources = (lambda assignment_id: rows[1], lambda assignment_id: rows[2])
    assert [r.unit for r in dashboard_services.load_ratings(7, sources)] == ["u1", "u2"]


def test_reviewing_the_reviews_page_and_csv(app, client):
    world, plan, criteria = _calibrated_world()
    review_services.allocate(plan, world.reviewer, world.leader)
    review_services.save_review(plan, world.reviewer, scores={criteria[0]: {"level": "solid", "comment": "Good"},
                                                              criteria[1]: {"level": "solid", "comment": "Also"}},
                                overall="Thanks")
    review = review_services.release(plan, world.reviewer)
    first, second = review.score_for(criteria[0]), review.score_for(criteria[1])
    review_services.rate(plan, world.owner, first, 3)
    review_services.rate(plan, world.owner, second, 1)
    db.session.commit()
    login(client, world.leader.email)
    page = client.get(f"/assignments/{world.assignment.id}/reviewers").get_data(as_text=True)
    assert "Rita Reviewer" in page and "Ivar Instructor" in page
    assert 'id="chart-helpful"' in page and 'role="img"' in page
    assert "50 % of 2 rated" in page
    response = client.get(f"/assignments/{world.assignment.id}/reviewers.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, by_name = rows[0], {row[0]: row for row in rows[1:]}
    assert header[:5] == ["Reviewer", "Released reviews", "Median turnaround (days)", "Rated comments",
                          "Found helpful (%)"]
    assert by_name["Rita Reviewer"][1:5] == ["1", "0.0", "2", "50.0"]
    assert by_name["Rita Reviewer"][5] == "0.00" and by_name["Ivar Instructor"][5] == "-1.00"
    assert by_name["Ivar Instructor"][6] == "one level harsher than the reference"


def test_students_and_instructors_cannot_open_reviewing_the_reviews(app, client):
    world, _plan, _criteria = _calibrated_world()
    for person in (world.owner, world.reviewer):
        login(client, person.email)
        assert client.get(f"/assignments/{world.assignment.id}/reviewers").status_code == 403
        assert client.get(f"/assignments/{world.assignment.id}/reviewers.csv").status_code == 403
