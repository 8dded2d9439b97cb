"""A plan's own language: chosen when it starts, changed on the plan page, and followed by the hints, the plan checks,
the hints kept with each version and the language of the plan's text on every page; the pages keep their own."""
from __future__ import annotations

import copy
import re

import pytest

from app.cohorts.models import Role
from app.db import db
from app.errors import InvalidTransition
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import csrf_token, login, post
from tests.factories import AssignmentFactory, member
from tests.plan_helpers import GOOD_CONTENT, World

NORWEGIAN = "Pas. benekter rusbruk og er en kjent rusmisbruker."
ENGLISH = "Pt denies drinking. She is an addict."


@pytest.fixture
def world(app):
    return World()


def norwegian_plan() -> dict:
    content = copy.deepcopy(GOOD_CONTENT)
    content["sections"]["what_matters"] = NORWEGIAN + " Jeg vil ha min egen leilighet sammen med Luna."
    return content


def set_language(world: World, language: str) -> None:
    world.plan.language = language
    db.session.commit()


def editor_form(plan: Plan, content: dict, **extra) -> dict:
    """The plan page's form as a browser sends it, with `content` typed into it."""
    data = {"save_token": plan.save_token}
    data.update({f"section-{key}": text for key, text in content["sections"].items()})
    for i, goal in enumerate(content["goals"]):
        data.update({f"goal-{i}-{name}": value for name, value in goal.items()})
    for i, measure in enumerate(content["measures"]):
        data.update({f"measure-{i}-{name}": value for name, value in measure.items()})
    data.update(extra)
    return data


def check(client, payload):
    return client.post("/language/check", json=payload, headers={"X-CSRFToken": csrf_token(client)})


def terms(findings) -> set[str]:
    return {finding["text"] for finding in findings}


# --- starting a plan --------------------------------------------------------------------------------------

def test_the_start_form_offers_the_plans_language_with_the_interface_language_chosen(client, app):
    assignment = AssignmentFactory(title="Plan for Anna")
    student = member(assignment.cohort, Role.student)
    login(client, student.email)
    html = client.get("/plans").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="language"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no choice of the plan's language next to \"Start my plan\""
    assert re.search(r'<option value="en"[^>]*selected', select.group(1))
    assert '<option value="nb"' in select.group(1)
    # under a Norwegian interface, Norwegian is chosen
    post(client, "/locale", {"locale": "nb", "next": "/plans"})
    html = client.get("/plans").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="language"[^>]*>(.*?)</select>', html, re.S)
    assert select and re.search(r'<option value="nb"[^>]*selected', select.group(1))


def test_a_plan_starts_in_the_language_chosen_whatever_the_interface_speaks(client, app):
    assignment = AssignmentFactory()
    student = member(assignment.cohort, Role.student)
    login(client, student.email)
    response = post(client, f"/assignments/{assignment.id}/plan", {"language": "nb"})
    assert response.status_code == 302
    plan = db.session.scalar(db.select(Plan).where(Plan.student_id == student.id))
    assert plan.language == "nb"
    editor = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in editor  # the pages keep the interface language
    assert re.search(r'<textarea[^>]*id="section-what_matters"[^>]*lang="nb"', editor)


def test_a_plan_started_without_a_choice_is_in_the_interface_language(client, app):
    assignment = AssignmentFactory()
    student = member(assignment.cohort, Role.student)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    login(client, student.email)
    post(client, f"/assignments/{assignment.id}/plan")
    plan = db.session.scalar(db.select(Plan).where(Plan.student_id == student.id))
    assert plan.language == "nb"


def test_an_unknown_language_starts_nothing(client, app):
    assignment = AssignmentFactory()
    student = member(assignment.cohort, Role.student)
    login(client, student.email)
    response = post(client, f"/assignments/{assignment.id}/plan", {"language": "sv"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(Plan).where(Plan.student_id == student.id)) is None


# --- the hints follow the plan's language -----------------------------------------------------------------

def test_live_hints_use_the_plans_language_not_the_interface_language(client, world):
    set_language(world, "nb")
    login(client, world.owner.email)  # an English interface
    answer = check(client, {"text": NORWEGIAN, "lang": "en", "plan_id": world.plan.id, "field": "what_matters"})
    assert answer.status_code == 200
    assert answer.get_json()["lang"] == "nb"
    assert {"benekter", "rusmisbruker"} <= {t.lower() for t in terms(answer.get_json()["findings"])}
    # English words in a Norwegian plan are not hinted at as English
    english = check(client, {"text": ENGLISH, "lang": "en", "plan_id": world.plan.id, "field": "what_matters"})
    assert "denies" not in terms(english.get_json()["findings"])


def test_a_norwegian_interface_over_an_english_plan_gets_english_hints(client, world):
    world.owner.locale = "nb"
    db.session.commit()
    assert world.plan.language == "en"
    login(client, world.owner.email)
    answer = check(client, {"text": ENGLISH, "lang": "nb", "plan_id": world.plan.id, "field": "what_matters"})
    assert answer.get_json()["lang"] == "en"
    assert {"denies", "addict"} <= terms(answer.get_json()["findings"])


def test_plan_checks_use_the_plans_language(client, world):
    set_language(world, "nb")
    login(client, world.owner.email)
    poor = {"sections": {"what_matters": "Jeg vil ha et hjem."}, "goals": [{"id": "g1", "text": "Egen leilighet",
                                                                            "timeframe": ""}],
            "measures": [{"id": "m1", "what": "Oppfølging", "service": "", "role": "", "due": "", "goal_id": "g1"}]}
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": poor},
                    headers={"X-CSRFToken": csrf_token(client), "Accept-Language": "en"})
    messages = [h["message"] for h in r.get_json()["plan_hints"] if h["code"] == "measure_no_date"]
    assert messages and messages[0].startswith("Tiltak 1: ")


def test_the_summary_before_submitting_uses_the_plans_language(client, world):
    set_language(world, "nb")
    world.write(norwegian_plan())
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert "Language hints before you submit" in page  # the page in English
    assert "Doubting verb" in page  # "benekter", found by the Norwegian lexicon


def test_the_version_keeps_the_hints_of_the_plans_language_and_the_reviewer_sees_them(make_client, world):
    set_language(world, "nb")
    world.write(norwegian_plan())
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    version = world.plan.latest_version
    assert version.language == "nb" and version.hints["lang"] == "nb"
    assert {"benekter", "rusmisbruker"} <= {f["text"].lower() for f in version.hints["findings"]}
    world.plan.reviewer_id = world.reviewer.id
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    page = reviewer.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    assert '<mark class="hint-term">benekter</mark>' in page
    assert re.search(r'<p class="hint-message" lang="nb">', page)
    assert "Checked in Norwegian Bokmål, the language the plan is written in." in page
    # the plan's text is marked as Norwegian, on a page in English
    assert '<html lang="en">' in page
    assert re.search(r'data-anchor-key="what_matters"[^>]*lang="nb"|lang="nb"[^>]*data-anchor-key="what_matters"',
                     page)


def test_a_version_keeps_its_language_when_the_plan_changes_language_afterwards(client, world):
    world.write(GOOD_CONTENT)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    plan_services.withdraw(world.plan, world.owner)
    plan_services.change_language(world.plan, world.owner, "nb")
    db.session.commit()
    assert world.plan.versions[0].language == "en" and world.plan.language == "nb"
    login(client, world.owner.email)
    version = client.get(f"/plans/{world.plan.id}/versions/1").get_data(as_text=True)
    assert re.search(r'<div class="prose" lang="en">', version)
    assert 'lang="nb"' not in version.split("<main", 1)[1]


# --- changing the language on the plan page ------------------------------------------------------------

def test_changing_the_language_on_the_plan_page_keeps_the_text_typed(client, world):
    login(client, world.owner.email)
    editor = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="language"[^>]*form="plan-form"|<select[^>]*form="plan-form"[^>]*name="language"',
                     editor) or 'name="language"' in editor.split('id="plan-form"', 1)[1].split("</form>", 1)[0]
    typed = norwegian_plan()
    response = post(client, f"/plans/{world.plan.id}", editor_form(world.plan, typed, then="language", language="nb"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{world.plan.id}")
    db.session.refresh(world.plan)
    assert world.plan.language == "nb"
    assert world.plan.draft["sections"]["what_matters"] == typed["sections"]["what_matters"]
    assert world.plan.draft["measures"][0]["service"] == "Housing office"
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Language hints and plan checks are now in Norwegian Bokmål." in page
    assert NORWEGIAN in page
    assert re.search(r'<form[^>]*id="plan-form"[^>]*data-lang="nb"', page)
    assert re.search(r'<textarea[^>]*id="section-what_matters"[^>]*lang="nb"', page)
    assert re.search(r'<input[^>]*id="measure-0-service"[^>]*lang="nb"', page)
    assert '<html lang="en">' in page and "Language of the plan" in page


def test_changing_the_interface_language_leaves_the_plans_language_alone(client, world):
    login(client, world.owner.email)
    post(client, "/locale", {"locale": "nb", "next": f"/plans/{world.plan.id}"})
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert '<html lang="nb">' in page and "Planens språk" in page
    db.session.refresh(world.plan)
    assert world.plan.language == "en"
    assert re.search(r'<form[^>]*id="plan-form"[^>]*data-lang="en"', page)
    assert re.search(r'<textarea[^>]*id="section-what_matters"[^>]*lang="en"', page)


def test_changing_the_language_is_only_for_the_student_of_the_plan_and_only_while_it_can_be_edited(client, make_client,
                                                                                                    world):
    other = make_client()
    login(other, world.reviewer.email)
    response = post(other, f"/plans/{world.plan.id}", editor_form(world.plan, GOOD_CONTENT, then="language",
                                                                   language="nb"))
    assert response.status_code in (403, 404)
    world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    with pytest.raises(InvalidTransition):
        plan_services.change_language(world.plan, world.owner, "nb")
    db.session.rollback()
    db.session.refresh(world.plan)
    assert world.plan.language == "en"


def test_an_unknown_language_keeps_the_text_and_says_so(client, world):
    login(client, world.owner.email)
    typed = norwegian_plan()
    response = post(client, f"/plans/{world.plan.id}", editor_form(world.plan, typed, then="language", language="sv"),
                    follow_redirects=True)
    db.session.refresh(world.plan)
    assert world.plan.language == "en"
    assert world.plan.draft["sections"]["what_matters"] == typed["sections"]["what_matters"]
    assert "Choose the plan&#39;s language" in response.get_data(as_text=True) or \
        "Choose the plan's language" in response.get_data(as_text=True)


# --- the plan's text carries its language on the pages that show it --------------------------------------

def test_the_text_of_the_plan_is_marked_with_its_language_on_feedback_and_print(client, world):
    set_language(world, "nb")
    world.write(norwegian_plan())
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    review_services.add_comment(plan, world.reviewer, key="what_matters", quote="leilighet", start=None,
                                body="Say more")
    review_services.save_review(plan, world.reviewer, scores={}, overall="Thanks")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    login(client, world.owner.email)
    feedback = client.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    assert '<html lang="en">' in feedback
    assert re.search(r'data-anchor-key="what_matters"[^>]*lang="nb"|lang="nb"[^>]*data-anchor-key="what_matters"',
                     feedback)
    assert '<q lang="nb">leilighet</q>' in feedback
    printed = client.get(f"/plans/{world.plan.id}/print").get_data(as_text=True)
    assert '<html lang="en">' in printed
    assert re.search(r'<div class="prose" lang="nb">', printed)
    assert re.search(r'<td lang="nb">Housing office</td>', printed)


def test_the_comparison_of_two_versions_marks_their_words_with_the_plans_language(client, world):
    set_language(world, "nb")
    world.write(norwegian_plan())
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    plan_services.withdraw(world.plan, world.owner)
    changed = norwegian_plan()
    changed["sections"]["strengths"] = "Hun lager god mat."
    world.write(changed)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/diff").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<div class="diff-text" lang="nb">' in page and '<span class="diff-field" lang="nb">' in page


def test_both_texts_of_a_conflict_are_marked_with_the_plans_language(client, world):
    set_language(world, "nb")
    login(client, world.owner.email)
    mine, theirs = norwegian_plan(), norwegian_plan()
    theirs["sections"]["strengths"] = "Hun lager god mat."
    shown = client.post(f"/plans/{world.plan.id}/conflict", json={"mine": mine, "theirs": theirs},
                        headers={"X-CSRFToken": csrf_token(client)})
    html = shown.get_json()["html"]
    assert re.search(r'<pre class="conflict-text" id="[^"]*-mine-text" lang="nb">', html)
    assert re.search(r'<pre class="conflict-text" id="[^"]*-theirs-text" lang="nb">Hun lager god mat.</pre>', html)


# --- plans started before plans had a language ------------------------------------------------------------

def test_plans_started_before_they_had_a_language_get_the_language_their_hints_were_in(app):
    """The migration gives each plan the language its hints were checked in until now: the student's language when
    the case is written in it, else the case's first."""
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    norwegian_world, english_world = World(), World()
    norwegian_world.owner.locale = "nb"
    assert "nb" in norwegian_world.plan.case_version.languages
    norwegian_id, english_id = norwegian_world.plan.id, english_world.plan.id
    db.session.commit()
    db.session.remove()
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    before = script.get_revision("0009_plan_language").down_revision
    try:
        downgrade(revision=before)
        upgrade()
    finally:
        upgrade()  # the schema of the other tests, whatever happened
    languages = dict(db.session.execute(db.select(Plan.id, Plan.language)).all())
    assert languages == {norwegian_id: "nb", english_id: "en"}
