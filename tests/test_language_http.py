"""The assistant over HTTP: the check endpoint, dismissals, hints stored per version, the summary before submitting."""
from __future__ import annotations

import copy

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World


def check(client, payload, token=None, **kwargs):
    headers = {"X-CSRFToken": token if token is not None else csrf_token(client)}
    return client.post("/language/check", json=payload, headers=headers, **kwargs)


def test_check_finds_record_language_with_exact_offsets(client, app):
    world = World()
    login(client, world.owner.email)
    text = "Pt denies drinking and was informed of the plan."
    response = check(client, {"text": text, "lang": "en"})
    assert response.status_code == 200
    findings = response.get_json()["findings"]
    assert {"jargon", "doubt"} <= {f["category"] for f in findings}
    for finding in findings:
        assert text[finding["start"]:finding["end"]] == finding["text"]
        assert finding["message"] and finding["suggestion"]
        assert {"start", "end", "text", "category", "message", "suggestion"} <= set(finding)


def test_check_in_norwegian(client, app):
    world = World()
    login(client, world.owner.email)
    text = "Pas. benekter rusbruk og er en kjent rusmisbruker."
    findings = check(client, {"text": text, "lang": "nb"}).get_json()["findings"]
    terms = {f["text"].lower() for f in findings}
    assert "benekter" in terms and any("rusmisbruker" in t for t in terms)


def test_check_needs_login_and_csrf(client, make_client, app):
    anonymous = make_client()
    r = check(anonymous, {"text": "Pt denies", "lang": "en"})
    assert r.status_code in (302, 401)
    world = World()
    login(client, world.owner.email)
    r = client.post("/language/check", json={"text": "Pt denies", "lang": "en"})
    assert r.status_code == 400  # no CSRF token


def test_check_bad_input_is_a_clear_400_and_too_long_is_413(client, app):
    world = World()
    login(client, world.owner.email)
    token = csrf_token(client)
    r = client.post("/language/check", data="{not json", headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    assert check(client, {"text": 12, "lang": "en"}, token).status_code == 400
    assert "lang" in check(client, {"text": "x", "lang": "sv"}, token).get_json()["error"]
    r = check(client, {"text": "word " * 30_000, "lang": "en"}, token)
    assert r.status_code == 413


def test_dismissed_hint_stays_dismissed_for_that_passage(client, app):
    world = World()
    login(client, world.owner.email)
    text = "Anna says: \"I was clean for two years.\" She wants a home."
    first = check(client, {"text": text, "lang": "en", "plan_id": world.plan.id, "field": "what_matters"})
    clean = next(f for f in first.get_json()["findings"] if f["text"].lower() == "clean")
    r = client.post(f"/language/plans/{world.plan.id}/dismiss", json={
        "field": "what_matters", "rule": clean["rule"], "text": clean["text"], "context": clean["context"],
        "reason": "quoting Anna"}, headers={"X-CSRFToken": csrf_token(client)})
    assert r.status_code == 201
    again = check(client, {"text": text, "lang": "en", "plan_id": world.plan.id, "field": "what_matters"})
    hit = next(f for f in again.get_json()["findings"] if f["text"].lower() == "clean")
    assert hit["dismissed"] is True and hit["dismissed_reason"] == "quoting Anna"
    # the same word in another passage is still flagged
    other = "She was clean and sober last month, the GP notes."
    elsewhere = check(client, {"text": other, "lang": "en", "plan_id": world.plan.id, "field": "what_matters"})
    assert any(f["text"].lower() == "clean" and not f["dismissed"] for f in elsewhere.get_json()["findings"])
    # a reason is required, and only the owner may dismiss
    r = client.post(f"/language/plans/{world.plan.id}/dismiss", json={
        "field": "what_matters", "rule": clean["rule"], "text": "clean", "context": "x", "reason": " "},
        headers={"X-CSRFToken": csrf_token(client)})
    assert r.status_code == 400
    intruder = client.application.test_client()
    login(intruder, world.other_student.email)
    r = intruder.post(f"/language/plans/{world.plan.id}/dismiss", json={"field": "what_matters", "rule": "x",
                      "text": "clean", "context": "clean", "reason": "mine"}, headers={"X-CSRFToken": csrf_token(intruder)})
    assert r.status_code == 404


def test_each_version_stores_its_hints_and_reviewers_see_them(make_client, app):
    world = World()
    content = copy.deepcopy(GOOD_CONTENT)
    content["sections"]["what_matters"] = "Pt denies drinking. She is an alcoholic and non-compliant."
    world.write(content)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    version = world.plan.latest_version
    assert version.hints["counts"].get("doubt", 0) >= 1 and version.hints["counts"].get("label", 0) >= 1
    assert version.hints["words"] > 10
    world.plan.reviewer_id = world.reviewer.id
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    page = reviewer.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    assert "Language hints on this version" in page and '<mark class="hint-term">denies</mark>' in page


def test_summary_before_submitting_never_blocks(client, app):
    world = World()
    content = copy.deepcopy(GOOD_CONTENT)
    content["sections"]["what_matters"] = "Pt denies drinking."
    content["sections"]["crisis_plan"] = ""
    world.write(content)
    login(client, world.owner.email)
    page = client.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert "Language hints before you submit" in page and "Doubting verb" in page and "Record language" in page
    assert "Plan checks" in page
    r = post(client, f"/plans/{world.plan.id}/submit", {"confirmed": "yes", "save_token": world.plan.save_token})
    assert r.status_code == 302
    db.session.refresh(world.plan)
    assert world.plan.state == PlanState.submitted


def test_plan_hints_endpoint_on_a_poor_and_a_good_plan(client, app):
    world = World()
    login(client, world.owner.email)
    poor = {"sections": {"what_matters": "The patient must stay sober."}, "goals": [{"id": "g1", "text": "Abstinence", "timeframe": ""}],
            "measures": [{"id": "m1", "what": "Follow-up", "service": "", "role": "", "due": "", "goal_id": ""}]}
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": poor},
                    headers={"X-CSRFToken": csrf_token(client)})
    codes = {h["code"] for h in r.get_json()["plan_hints"]}
    assert {"measure_no_responsible", "measure_no_date", "coordinator_missing", "crisis_plan_missing"} <= codes
    good = copy.deepcopy(GOOD_CONTENT)
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": good},
                    headers={"X-CSRFToken": csrf_token(client)})
    assert "measure_no_responsible" not in {h["code"] for h in r.get_json()["plan_hints"]}


def test_plan_checks_name_goals_and_measures_in_the_plans_language(client, app):
    """A page in Norwegian over an English plan: the check and the goal or measure it names read as one English
    sentence ("Measure 1: …"), not half in each language."""
    world = World()
    assert world.owner.locale is None  # the plan is written in English; the browser asks for Norwegian pages
    login(client, world.owner.email)
    poor = {"sections": {"what_matters": "I want a home."}, "goals": [{"id": "g1", "text": "I want a flat", "timeframe": ""}],
            "measures": [{"id": "m1", "what": "Follow-up", "service": "", "role": "", "due": "", "goal_id": "g1"}]}
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": poor},
                    headers={"X-CSRFToken": csrf_token(client), "Accept-Language": "nb"})
    messages = [h["message"] for h in r.get_json()["plan_hints"] if h["code"] == "measure_no_date"]
    assert messages and messages[0].startswith("Measure 1: ")
    assert not any(h["message"].startswith(("Tiltak", "Mål")) for h in r.get_json()["plan_hints"])


def test_a_passive_measure_asks_who_and_by_when_on_the_plan_hints_endpoint(client, app):
    world = World()
    login(client, world.owner.email)
    content = copy.deepcopy(GOOD_CONTENT)
    content["measures"][0].update({"what": "The application will be sent to the housing office.", "due": ""})
    content["sections"]["what_matters"] = "I want the plan to be sent to me."
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": content},
                    headers={"X-CSRFToken": csrf_token(client)})
    asks = [h for h in r.get_json()["plan_hints"] if h["code"] == "who_and_when"]
    assert [(h["section"], h["message"]) for h in asks] == [
        ("measures", "Measure 1: \u201cwill be sent\u201d does not say who does it: name who is responsible and by when.")]


def test_a_passive_in_a_section_names_the_section_in_the_plans_language(client, app):
    world = World()
    world.plan.language = "nb"
    db.session.commit()
    login(client, world.owner.email)
    content = copy.deepcopy(GOOD_CONTENT)
    content["sections"]["crisis_plan"] = "Ved tidlige tegn skal søsteren kontaktes. Ring 113 ved akutt fare."
    r = client.post(f"/language/plans/{world.plan.id}/plan-hints", json={"content": content},
                    headers={"X-CSRFToken": csrf_token(client), "Accept-Language": "en"})
    asks = [h["message"] for h in r.get_json()["plan_hints"] if h["code"] == "who_and_when"]
    assert asks == ["Kriseplan: «skal søsteren kontaktes» sier ikke hvem som gjør det: skriv hvem som har ansvaret, "
                    "og innen når."]
