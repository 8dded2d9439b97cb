"""Limits over HTTP: the server counts, refuses a text too long with a message that names the field and says by how
much, and gives the text back whole; the editor's fields carry their limits instead of cutting text."""
from __future__ import annotations

import copy

import pytest

from app.db import db
from app.plans.content import MAX_FIELD_CHARS, MAX_SECTION_CHARS, ContentProblem, normalise, over_limits
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World


def test_a_text_too_long_names_its_field_and_how_far_over_it_is(app):
    content = copy.deepcopy(GOOD_CONTENT)
    content["measures"].insert(0, {"id": "m0", "what": "Call", "due": "x" * (MAX_FIELD_CHARS + 3)})
    with app.test_request_context():
        with pytest.raises(ContentProblem) as problem:
            normalise(content)
    assert (problem.value.field, problem.value.over, problem.value.limit) == ("measure-0-due", 3, MAX_FIELD_CHARS)
    assert str(problem.value) == f"Measure 1 — When / by when is too long by 3 (the limit is {MAX_FIELD_CHARS} characters)"
    content["sections"]["evaluation"] = "y" * MAX_SECTION_CHARS + "\r\n" * 2  # a line break counts once
    assert over_limits(content) == {"section-evaluation": 2, "measure-0-due": 3}


@pytest.fixture
def world(app):
    world = World()
    world.write()
    return world


def test_the_editor_carries_limits_instead_of_cutting(client, world):
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "maxlength" not in page
    assert f'data-limit="{MAX_SECTION_CHARS}"' in page and f'data-limit="{MAX_FIELD_CHARS}"' in page


def test_an_autosave_too_long_is_refused_with_the_servers_message(client, world):
    login(client, world.owner.email)
    content = copy.deepcopy(GOOD_CONTENT)
    content["sections"]["evaluation"] = "z" * (MAX_SECTION_CHARS + 7)
    response = client.post(f"/plans/{world.plan.id}/draft", json={"save_token": world.plan.save_token,
                                                                   "content": content},
                           headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 400
    assert response.get_json()["error"] == (f"The plan could not be saved: Evaluation is too long by 7 (the limit is "
                                            f"{MAX_SECTION_CHARS} characters).")


def test_the_form_gives_a_text_too_long_back_whole(client, world):
    login(client, world.owner.email)
    long_text = "w" * (MAX_SECTION_CHARS + 1)
    response = post(client, f"/plans/{world.plan.id}", {"save_token": str(world.plan.save_token),
                                                        "section-evaluation": long_text,
                                                        "section-consent": "Only the GP.", "base": "{}"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert long_text in page and "Only the GP." in page
    assert 'href="#section-evaluation"' in page and 'id="section-evaluation-over"' in page
    assert f'name="save_token" value="{world.plan.save_token}"' in page
    db.session.refresh(world.plan)
    assert world.plan.draft["sections"]["consent"] == GOOD_CONTENT["sections"]["consent"]


def test_a_reflection_too_long_is_refused_and_given_back(make_client, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    review_services.save_review(plan, world.reviewer, scores={}, overall="Add dates.")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    student = make_client()
    login(student, world.owner.email)
    limit = review_services.MAX_COMMENT
    answer = student.post(f"/plans/{plan.id}/reflection", json={"version": 1, "text": "r" * (limit + 4)},
                          headers={"X-CSRFToken": csrf_token(student)})
    assert answer.status_code == 400 and answer.get_json() == {
        "error": f"Too long by 4 (the limit is {limit} characters). Shorten the text to save it.",
        "field": "reflection-text"}
    page = post(student, f"/plans/{plan.id}/reflection", {"version": "1", "text": "r" * (limit + 4)})
    assert page.status_code == 400 and "r" * (limit + 4) in page.get_data(as_text=True)
    # a form's line breaks count as one character each, as the script counts them
    fits = ("line\r\n" * (limit // 5))[: limit + 200]
    assert review_services.reflection_over(fits) == 0
    saved = post(student, f"/plans/{plan.id}/reflection", {"version": "1", "text": fits})
    assert saved.status_code == 302
