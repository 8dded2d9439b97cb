"""Calibration: who marks calibration plans and who calibrates, the review kept until submitted and fixed after,
the comparison, the gate before a first live review, and that no student ever sees any of it."""
from __future__ import annotations

import re

import pytest

from app.assignments.models import Assignment
from app.calibration import queries, services
from app.cohorts.models import Role
from app.db import db
from app.demo.plans import DEMO_ASSIGNMENT
from app.errors import Conflict, NotPermitted, NotReady, ValidationError
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import login, post
from tests.factories import import_shipped_content, member
from tests.plan_helpers import World

SECRET_COMMENT = "Calibration words no student may read"
MODEL_COMMENT = "Model comment: say it in Anna's words"


def _submitted_world() -> World:
    world = World()
    world.write()
    world.to_state(PlanState.submitted)
    return world


def _calibration(world: World, title="Calibration plan 1"):
    version = world.plan.latest_version
    calibration = services.mark_version(world.assignment, world.leader, version, title=title, consent=True)
    criteria = calibration.rubric_version.criterion_keys()
    services.save_reference(calibration, world.leader, levels={key: "solid" for key in criteria},
                            comments={key: MODEL_COMMENT for key in criteria})
    db.session.commit()
    return calibration, criteria


def test_only_a_leader_of_the_cohort_marks_a_calibration_plan_and_only_with_consent(app):
    world = _submitted_world()
    other = World()
    version = world.plan.latest_version
    for actor in (world.reviewer, world.owner, other.leader):
        with pytest.raises(NotPermitted):
            services.mark_version(world.assignment, actor, version, title="C", consent=True)
    with pytest.raises(ValidationError, match="agreed"):
        services.mark_version(world.assignment, world.leader, version, title="C", consent=False)
    with pytest.raises(ValidationError):  # a version of a cohort the leader does not lead
        services.mark_version(other.assignment, other.leader, version, title="C", consent=True)
    calibration = services.mark_version(world.assignment, world.leader, version, title="C", consent=True)
    assert calibration.content == version.content and calibration.source_version_id == version.id


def test_instructors_and_leaders_calibrate_and_students_cannot(app):
    world = _submitted_world()
    calibration, criteria = _calibration(world)
    with pytest.raises(NotPermitted):
        services.save_calibration(calibration, world.owner, levels={}, comments={})
    for actor in (world.reviewer, world.leader):
        services.save_calibration(calibration, actor, levels={criteria[0]: "solid"}, comments={})


def test_a_calibration_review_is_editable_until_submitted_and_fixed_after(app):
    world = _submitted_world()
    calibration, criteria = _calibration(world)
    review = services.save_calibration(calibration, world.reviewer, levels={criteria[0]: "emerging"},
                                       comments={criteria[0]: "first"})
    services.save_calibration(calibration, world.reviewer, levels={criteria[0]: "solid"}, comments={criteria[0]: "x"})
    assert review.score_for(criteria[0]).level_key == "solid"
    with pytest.raises(services.CalibrationProblem) as missing:  # every criterion needs a level to submit
        services.save_calibration(calibration, world.reviewer, levels={criteria[0]: "solid"}, comments={},
                                  submit=True)
    assert set(missing.value.problems) == set(criteria[1:])
    services.save_calibration(calibration, world.reviewer, levels={key: "solid" for key in criteria}, comments={},
                              submit=True)
    with pytest.raises(Conflict):
        services.save_calibration(calibration, world.reviewer, levels={key: "emerging" for key in criteria},
                                  comments={})


def test_the_calibrate_page_keeps_what_was_typed_and_shows_the_comparison_after_submitting(app, client):
    world = _submitted_world()
    calibration, criteria = _calibration(world)
    services.save_calibration(calibration, world.instructor, levels={key: "emerging" for key in criteria},
                              comments={}, submit=True)
    db.session.commit()
    login(client, world.reviewer.email)
    page = client.get(f"/calibration/{calibration.id}").get_data(as_text=True)
    assert "Ivar Instructor" not in page and MODEL_COMMENT not in page  # nothing leads the eye before submitting
    response = post(client, f"/calibration/{calibration.id}",
                    {"level-" + criteria[0]: "solid", "comment-" + criteria[0]: "Typed and kept", "action": "submit"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Typed and kept" in body and "Choose a level for every criterion" in body
    assert 'value="solid" checked' in body
    data = {f"level-{key}": "solid" for key in criteria} | {"action": "submit"}
    response = post(client, f"/calibration/{calibration.id}", data, follow_redirects=True)
    body = response.get_data(as_text=True)
    emerging = calibration.rubric_version.level_title("emerging", "en")
    assert f"Ivar Instructor: {emerging}" in body and MODEL_COMMENT in body and "same as the reference" in body
    assert 'id="calibration-form"' not in body  # fixed now
    post(client, f"/calibration/{calibration.id}", {f"level-{key}": "emerging" for key in criteria})
    assert queries.review_of(calibration.id, world.reviewer.id).score_for(criteria[0]).level_key == "solid"


def test_a_leader_marks_a_calibration_plan_from_the_page(app, client):
    world = _submitted_world()
    login(client, world.leader.email)
    version = world.plan.latest_version
    page = client.get(f"/assignments/{world.assignment.id}/calibration/new").get_data(as_text=True)
    assert f'value="{version.id}"' in page
    refused = post(client, f"/assignments/{world.assignment.id}/calibration/new",
                   {"title": "Kept title", "version_id": version.id})
    assert refused.status_code == 400 and "Kept title" in refused.get_data(as_text=True)
    response = post(client, f"/assignments/{world.assignment.id}/calibration/new",
                    {"title": "Kept title", "version_id": version.id, "consent": "1"})
    assert response.status_code == 302
    calibration = queries.plans_of(world.assignment.id)[0]
    assert calibration.title == "Kept title"


# --- the gate before the first live review -------------------------------------------------------------------

def _required(world):
    calibration, criteria = _calibration(world)
    services.set_required(world.assignment, world.leader, True)
    db.session.commit()
    return calibration, criteria


def test_without_a_calibration_review_an_instructor_cannot_claim_when_the_assignment_requires_one(app, client):
    world = _submitted_world()
    calibration, criteria = _required(world)
    login(client, world.instructor.email)
    response = post(client, f"/plans/{world.plan.id}/claim")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "calibration plan before their first review" in body
    assert re.search(rf'href="[^"]*/assignments/{world.assignment.id}/calibration"', body)
    db.session.refresh(world.plan)
    assert world.plan.reviewer_id is None
    services.save_calibration(calibration, world.instructor, levels={key: "solid" for key in criteria},
                              comments={}, submit=True)
    db.session.commit()
    assert post(client, f"/plans/{world.plan.id}/claim").status_code == 302
    db.session.refresh(world.plan)
    assert world.plan.reviewer_id == world.instructor.id


def test_an_allocated_reviewer_cannot_start_the_review_before_calibrating(app, client):
    world = _submitted_world()
    calibration, criteria = _required(world)
    review_services.allocate(world.plan, world.reviewer, world.leader)
    db.session.commit()
    login(client, world.reviewer.email)
    refused = post(client, f"/plans/{world.plan.id}/review", {"overall": "Hello"})
    assert refused.status_code == 403 and "calibration plan before their first review" in refused.get_data(as_text=True)
    with pytest.raises(NotReady):
        review_services.save_review(world.plan, world.reviewer, scores={}, overall="Hello")
    db.session.rollback()
    assert world.plan.state == PlanState.submitted
    services.save_calibration(calibration, world.reviewer, levels={key: "solid" for key in criteria}, comments={},
                              submit=True)
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Hello")
    assert world.plan.state == PlanState.in_review


def test_calibration_is_not_asked_when_optional_or_when_there_is_no_calibration_plan(app):
    world = _submitted_world()
    services.set_required(world.assignment, world.leader, True)
    assert not services.owes_calibration(world.reviewer, world.assignment)  # nothing to calibrate on
    _calibration(world)
    assert services.owes_calibration(world.reviewer, world.assignment)
    services.set_required(world.assignment, world.leader, False)
    assert not services.owes_calibration(world.reviewer, world.assignment)


# --- students never see calibration ----------------------------------------------------------------------------

def test_a_student_never_sees_a_calibration_review(app, client):
    world = World()
    world.write()
    plan = world.to_state(PlanState.returned)
    calibration = services.mark_version(world.assignment, world.leader, plan.latest_version, title="Cal",
                                        consent=True)
    criteria = calibration.rubric_version.criterion_keys()
    services.save_reference(calibration, world.leader, levels={}, comments={key: MODEL_COMMENT for key in criteria})
    services.save_calibration(calibration, world.reviewer, levels={key: "solid" for key in criteria},
                              comments={key: SECRET_COMMENT for key in criteria}, submit=True)
    db.session.commit()
    login(client, world.owner.email)
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/feedback", f"/plans/{plan.id}/history",
                f"/plans/{plan.id}/versions/1", f"/plans/{plan.id}/print", "/plans", "/",
                f"/assignments/{world.assignment.id}/calibration", f"/calibration/{calibration.id}",
                f"/calibration/{calibration.id}/reference"):
        response = client.get(url, follow_redirects=True)
        body = response.get_data(as_text=True)
        assert SECRET_COMMENT not in body and MODEL_COMMENT not in body, url
    assert client.get(f"/calibration/{calibration.id}").status_code == 403
    assert client.get(f"/assignments/{world.assignment.id}/calibration").status_code == 403
    assert post(client, f"/calibration/{calibration.id}", {"action": "submit"}).status_code == 403


def test_people_outside_the_cohort_are_told_nothing_exists(app, client):
    world = _submitted_world()
    calibration, _criteria = _calibration(world)
    stranger = World()
    login(client, stranger.leader.email)
    assert client.get(f"/calibration/{calibration.id}").status_code == 404
    assert client.get(f"/assignments/{world.assignment.id}/calibration").status_code == 404


def test_an_instructor_of_another_role_cannot_write_the_reference(app):
    world = _submitted_world()
    calibration, criteria = _calibration(world)
    other_leader = member(World().cohort, Role.leader)
    for actor in (world.reviewer, other_leader):
        with pytest.raises(NotPermitted):
            services.save_reference(calibration, actor, levels={}, comments={})


def test_a_leader_writes_a_calibration_plan_for_the_purpose_and_nothing_typed_is_lost(app, client):
    world = World()
    login(client, world.leader.email)
    url = f"/assignments/{world.assignment.id}/calibration/written"
    refused = post(client, url, {"title": "", "section-what_matters": "Anna wants her dog back."})
    assert refused.status_code == 400 and "Anna wants her dog back." in refused.get_data(as_text=True)
    response = post(client, url, {"title": "Written", "section-what_matters": "Anna wants her dog back.",
                                  "language": "en"})
    assert response.status_code == 302
    [written] = queries.plans_of(world.assignment.id)
    assert written.content["sections"]["what_matters"] == "Anna wants her dog back."
    assert written.source_version_id is None and written.rubric_version_id == world.assignment.rubric_version_id
    assert "Anna wants her dog back." in client.get(f"/calibration/{written.id}").get_data(as_text=True)


def test_the_demo_leader_sees_whether_the_reviewers_agree_and_the_reviewers_page(app, client):
    import_shipped_content()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # again: nothing doubled
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.title == DEMO_ASSIGNMENT))
    assert len(queries.plans_of(assignment.id)) == 2
    login(client, "leader@example.org", "demo-password")
    page = client.get(f"/assignments/{assignment.id}/dashboard").get_data(as_text=True)
    section = page[page.index('id="agreement"'):page.index('id="rubric"')]
    assert re.search(r'<td class="num">-?[01]\.\d\d</td>', section)  # an alpha for at least one criterion
    assert "harsher than the others" in section and "milder than the others" in section
    reviewers = client.get(f"/assignments/{assignment.id}/reviewers").get_data(as_text=True)
    assert "than the reference" in reviewers
