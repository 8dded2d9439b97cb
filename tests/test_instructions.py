"""The assignment's instructions for students are shown where the student works, as sanitised Markdown."""
from __future__ import annotations

from app.db import db
from app.plans.states import PlanState
from tests.conftest import QueryCounter, login
from tests.plan_helpers import World

INSTRUCTIONS = "Write **with Anna**, not about her.\n\n<script>alert(1)</script>"


def _world(**fields):
    world = World(instructions=INSTRUCTIONS, **fields)
    db.session.commit()
    return world


def _shows_instructions(html: str) -> bool:
    return ("Instructions for this assignment" in html and "<strong>with Anna</strong>" in html
            and "<script>alert(1)" not in html)


def test_the_home_card_shows_the_instructions(client, app):
    world = _world()
    login(client, world.owner.email)
    assert _shows_instructions(client.get("/").get_data(as_text=True))


def test_the_home_card_shows_the_instructions_before_the_plan_is_started(client, app):
    world = _world()
    db.session.delete(world.plan)
    db.session.commit()
    login(client, world.owner.email)
    assert _shows_instructions(client.get("/").get_data(as_text=True))


def test_the_editor_and_the_read_view_show_the_instructions(client, app):
    world = _world()
    login(client, world.owner.email)
    assert _shows_instructions(client.get(f"/plans/{world.plan.id}").get_data(as_text=True))
    world.to_state(PlanState.submitted)
    assert _shows_instructions(client.get(f"/plans/{world.plan.id}").get_data(as_text=True))


def test_the_plan_page_reads_the_instructions_in_the_same_statement(make_client, app):
    world = _world()
    world.write()
    student = make_client()
    login(student, world.owner.email)
    url = f"/plans/{world.plan.id}"
    student.get(url)
    db.session.commit()
    with QueryCounter() as counter:
        page = student.get(url)
    assert _shows_instructions(page.get_data(as_text=True))
    assert counter.count == 2, "\n\n".join(counter.statements)


def test_the_case_page_of_the_assignment_shows_the_instructions(client, app):
    world = _world()
    login(client, world.owner.email)
    assert _shows_instructions(client.get(f"/assignments/{world.assignment.id}/case").get_data(as_text=True))


def test_no_section_when_there_are_no_instructions(client, app):
    world = World()
    login(client, world.owner.email)
    for url in ("/", f"/plans/{world.plan.id}", f"/assignments/{world.assignment.id}/case"):
        assert "Instructions for this assignment" not in client.get(url).get_data(as_text=True)
