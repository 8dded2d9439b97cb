"""The reflection over HTTP: the feedback page's script saves it as JSON, the form saves it and may go on to the
editor ("Revise the plan"), and a refused reflection comes back on the page as it was typed."""
from __future__ import annotations

import pytest

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.models import Reflection
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World


@pytest.fixture
def world(app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores={}, overall="Add dates.")
    services.release(plan, world.reviewer)
    db.session.commit()
    return world


@pytest.fixture
def student(make_client, world):
    client = make_client()
    login(client, world.owner.email)
    return client


def saved():
    db.session.expire_all()
    return [reflection.text for reflection in db.session.scalars(db.select(Reflection))]


def as_json(client, plan_id, payload):
    return client.post(f"/plans/{plan_id}/reflection", json=payload, headers={"X-CSRFToken": csrf_token(client)})


def test_the_script_saves_the_reflection_as_json(student, world):
    answer = as_json(student, world.plan.id, {"version": 1, "text": "I will add dates."})
    assert answer.status_code == 200 and answer.get_json()["saved_label"].startswith("Saved ")
    assert as_json(student, world.plan.id, {"version": 1, "text": "I will add dates and ask Anna."}).status_code == 200
    assert saved() == ["I will add dates and ask Anna."]
    empty = as_json(student, world.plan.id, {"version": 1, "text": "  "})
    assert empty.status_code == 400 and "what will you change" in empty.get_json()["error"].lower()
    assert as_json(student, world.plan.id, {"version": 7, "text": "Which version?"}).status_code == 404
    assert as_json(student, world.plan.id, ["not", "an", "object"]).status_code == 400
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, GOOD_CONTENT)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    late = as_json(student, world.plan.id, {"version": 1, "text": "Too late?"})
    assert late.status_code == 409 and late.get_json()["error"]
    assert saved() == ["I will add dates and ask Anna."]


def test_revise_the_plan_posts_the_reflection_and_goes_on_to_the_editor(student, world):
    response = post(student, f"/plans/{world.plan.id}/reflection", {"version": "1", "text": "I will add dates.",
                                                                      "then": "revise"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{world.plan.id}")
    assert saved() == ["I will add dates."]
    # nothing written: straight on, and the saved reflection stays
    response = post(student, f"/plans/{world.plan.id}/reflection", {"version": "1", "text": " ", "then": "revise"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{world.plan.id}")
    assert saved() == ["I will add dates."]


def test_a_refused_reflection_comes_back_as_typed(student, world):
    response = post(student, f"/plans/{world.plan.id}/reflection", {"version": "1", "text": "   "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="reflection-problem"' in page and "Write a few sentences" in page
    assert saved() == []
