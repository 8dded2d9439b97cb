"""The review page's tab "The case": the case with its teaching notes comes from an address of its own, fetched when
the tab is opened, instead of with every opening of the review page. Whoever may open the review page may read it,
nobody else; the browser may keep it only under the address that names the case version."""
from __future__ import annotations

import html
import re

from app.cases.models import STUDENTS
from app.plans.states import PlanState
from tests.conftest import login
from tests.plan_helpers import World


def case_address(page: str) -> str:
    found = re.search(r'id="panel-case"[^>]*data-src="([^"]+)"', page, re.S)
    assert found, "the case tab names where its text comes from"
    return html.unescape(found.group(1))


def teachers_only(world: World, lang: str = "en") -> list[str]:
    case = world.plan.case_version
    return [d.title_in(lang) for d in case.documents if d.audience != STUDENTS]


def test_the_reviewer_opens_the_case_tab_and_reads_the_case_with_its_teaching_notes(make_client, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    notes = teachers_only(world)
    assert notes, "the shipped case has teaching notes"
    client = make_client()
    login(client, world.reviewer.email)
    page = client.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    # The page itself no longer carries the case, only the tab that fetches it and a link for browsers without
    # scripts to the case's own page.
    assert 'class="case-for-teachers"' not in page
    assert f'href="/assignments/{plan.assignment_id}/case?lang=en"' in page
    answer = client.get(case_address(page))
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert 'class="case-for-teachers"' in text and "<html" not in text
    assert all(html.escape(title, quote=False) in text for title in notes)
    # The address names the case version: the browser may keep the answer an hour; without it, nothing is kept.
    assert answer.headers["Cache-Control"] == "private, max-age=3600"
    fresh = client.get(f"/plans/{plan.id}/review/case")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert client.get(f"/plans/{plan.id}/review/case?v=an-older-version").headers["Cache-Control"] == "no-store"


def test_the_case_tab_reads_in_the_language_asked_for(make_client, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    languages = list(world.plan.case_version.languages)
    assert "nb" in languages
    client = make_client()
    login(client, world.reviewer.email)
    norwegian = client.get(f"/plans/{plan.id}/review/case?lang=nb").get_data(as_text=True)
    assert all(html.escape(title, quote=False) in norwegian for title in teachers_only(world, "nb"))
    unknown = client.get(f"/plans/{plan.id}/review/case?lang=xx")
    assert unknown.status_code == 200 and 'class="case-for-teachers"' in unknown.get_data(as_text=True)


def test_only_those_who_may_open_the_review_page_read_its_case_tab(make_client, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    address = f"/plans/{plan.id}/review/case"
    anonymous = make_client().get(address)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for person, status in ((world.leader, 200), (world.reviewer, 200), (world.instructor, 403),
                           (world.owner, 403), (world.other_student, 404)):
        client = make_client()
        login(client, person.email)
        answer = client.get(address)
        assert answer.status_code == status, person.name
        assert (teachers_only(world)[0] in answer.get_data(as_text=True)) == (status == 200)
    client = make_client()
    login(client, world.reviewer.email)
    assert client.get("/plans/999999/review/case").status_code == 404
