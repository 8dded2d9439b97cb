"""A plan version as a FHIR R4 Bundle and as a SIP document: valid against HL7's R4 JSON Schema and the project's own
code checks, the same every time (golden files), downloaded by whoever may read the version, and explained to the
student on the plan's pages."""
from __future__ import annotations

import copy
import json
import os
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.cases.models import CaseVersion
from app.db import db
from app.demo.plans import DEMO_ASSIGNMENT, FIRST_DRAFT, FULL_PLAN
from app.plans import services
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.plans.structured import fhir_bundle, fhir_problems, sip_document, sip_problems
from app.plans.structured.checks import code_problems, schema_errors
from app.plans.structured.dates import Duration, read_when
from tests.conftest import login, post
from tests.factories import import_shipped_content
from tests.plan_helpers import GOOD_CONTENT, World

GOLDEN = Path(__file__).parent / "golden"
SUBMITTED = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
TAG = re.compile(r"<[A-Za-z/!?]")


def frozen_version(content: dict, *, language: str = "en", plan_id: int = 1001, number: int = 1) -> PlanVersion:
    """A version as the database would hand it over, with every value fixed, so its exports never change."""
    plan = Plan(id=plan_id, case_version=CaseVersion(person_name="Anna"), state=PlanState.submitted)
    return PlanVersion(plan=plan, number=number, content=content, submitted_at=SUBMITTED, language=language)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def assert_golden(name: str, document: dict) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert document == json.loads(path.read_text(encoding="utf-8")), f"{name} differs from the golden file"


# --- validity ---------------------------------------------------------------------------------------------------

def test_every_version_of_the_demo_plans_validates(app):
    import_shipped_content()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    versions = db.session.scalars(db.select(PlanVersion)).all()
    demo = [v for v in versions if v.plan.assignment.title == DEMO_ASSIGNMENT]
    assert len(demo) >= 4 and len(versions) > len(demo)  # the demo cohort's plans and the finished course's
    started = time.perf_counter()
    for version in versions:
        bundle, document = fhir_bundle(version), sip_document(version)
        assert fhir_problems(bundle) == [], (version.plan_id, version.number)
        assert sip_problems(document) == [], (version.plan_id, version.number)
        assert not TAG.search(json.dumps(bundle, ensure_ascii=False))
    assert (time.perf_counter() - started) / len(versions) < 0.5  # the schema is read once, not per version
    full = next(v for v in demo if v.plan.student.email == "student5@example.org")
    bundle = fhir_bundle(full)
    assert [r["resourceType"] for r in (e["resource"] for e in bundle["entry"])][:5] == [
        "CarePlan", "Goal", "Goal", "Goal", "CareTeam"]
    assert len(resources(bundle, "Consent")) == 1


def test_a_bundle_with_a_wrong_status_fails_the_projects_checks():
    bundle = fhir_bundle(frozen_version(FULL_PLAN))
    assert fhir_problems(bundle) == []

    wrong = copy.deepcopy(bundle)
    resources(wrong, "CarePlan")[0]["status"] = "finished"  # a `code` to the schema; not in R4's request-status
    assert schema_errors(wrong) == []
    assert fhir_problems(wrong) == ["Bundle/entry/0/resource/status: 'finished' is not a code of CarePlan.status in FHIR R4"]

    wrong = copy.deepcopy(bundle)
    resources(wrong, "CarePlan")[0]["intent"] = "wish"
    resources(wrong, "CarePlan")[0]["activity"][1]["detail"]["status"] = "done"
    resources(wrong, "Consent")[0]["status"] = "given"
    resources(wrong, "Goal")[2]["lifecycleStatus"] = "achieved"
    found = code_problems(wrong)
    assert any("'wish' is not a code of CarePlan.intent" in p for p in found)
    assert any("activity/1/detail/status: 'done'" in p for p in found)
    assert any("'given' is not a code of Consent.status" in p for p in found)
    assert any("'achieved' is not a code of Goal.lifecycleStatus" in p for p in found)


def test_the_schema_is_really_applied():
    bundle = fhir_bundle(frozen_version(FULL_PLAN))
    broken = copy.deepcopy(bundle)
    goal = resources(broken, "Goal")[0]
    goal["description"] = {"text": ""}  # FHIR strings are never empty
    goal["colour"] = "blue"  # no such element
    resources(broken, "CarePlan")[0]["created"] = "20 May 2026"
    broken["type"] = "pile"
    errors = schema_errors(broken)
    assert any("description/text" in e for e in errors)
    assert any("'colour' was unexpected" in e for e in errors)
    assert any("created" in e for e in errors)
    assert any(e.startswith("Bundle/type") for e in errors)
    broken = copy.deepcopy(bundle)
    resources(broken, "Goal")[0]["subject"]["reference"] = "urn:uuid:somewhere-else"
    assert any("is not in the bundle" in p for p in fhir_problems(broken))


def test_a_sip_document_that_breaks_its_schema_is_caught():
    document = sip_document(frozen_version(FULL_PLAN))
    assert sip_problems(document) == []
    document["activities"][0]["status"] = "maybe"
    document["consent"] = {"recorded": False, "text": "words without a consent"}
    problems = sip_problems(document)
    assert any("activities/0/status" in p for p in problems)
    assert any(p.startswith("sip/consent") for p in problems)


# --- golden files -----------------------------------------------------------------------------------------------

def test_the_demo_plan_exports_match_the_golden_files(app):
    version = frozen_version(FULL_PLAN)
    assert_golden("demo-plan.fhir.json", fhir_bundle(version))
    assert_golden("demo-plan.sip.json", sip_document(version))


def test_a_first_draft_in_norwegian_matches_its_golden_files(app):
    content = copy.deepcopy(FIRST_DRAFT)
    content["goals"][0]["timeframe"] = "innen seks måneder"
    content["measures"][0]["due"] = "1. juni"
    version = frozen_version(content, language="nb", plan_id=1002)
    bundle, document = fhir_bundle(version), sip_document(version)
    assert fhir_problems(bundle) == [] and sip_problems(document) == []
    assert_golden("first-draft-nb.fhir.json", bundle)
    assert_golden("first-draft-nb.sip.json", document)


def test_the_same_version_gives_the_same_ids_and_another_version_other_ones():
    first = fhir_bundle(frozen_version(FULL_PLAN))
    assert fhir_bundle(frozen_version(FULL_PLAN)) == first
    other = fhir_bundle(frozen_version(FULL_PLAN, number=2))
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint({e["fullUrl"] for e in other["entry"]})


# --- what goes where --------------------------------------------------------------------------------------------

def test_measures_become_activities_with_performer_period_and_goal():
    bundle = fhir_bundle(frozen_version(FULL_PLAN))
    care_plan = resources(bundle, "CarePlan")[0]
    goals = resources(bundle, "Goal")
    details = [activity["detail"] for activity in care_plan["activity"]]
    assert [d["scheduledPeriod"] for d in details] == [{"end": "2026-06-15"}, {"end": "2026-06-10"},
                                                       {"start": "2026-07-01"}, {"end": "2026-09-01"}]
    assert details[0]["goal"][0]["reference"] == f"urn:uuid:{goals[0]['id']}"
    assert details[0]["performer"][0]["display"] == "Case worker, Housing office"
    assert {d["status"] for d in details} == {"not-started"}
    roles = {r["code"][0]["text"]: r for r in resources(bundle, "PractitionerRole")}
    organisations = {o["id"]: o["name"] for o in resources(bundle, "Organization")}
    assert organisations[roles["Case worker"]["organization"]["reference"].removeprefix("urn:uuid:")] == "Housing office"
    person = resources(bundle, "Patient")[0]
    assert person["name"] == [{"text": "Anna"}]
    assert all(goal["expressedBy"]["reference"] == f"urn:uuid:{person['id']}" for goal in goals)
    assert goals[1]["target"] == [{"dueDuration": {"value": 6, "unit": "months", "system": "http://unitsofmeasure.org",
                                                   "code": "mo"}}]
    team = resources(bundle, "CareTeam")[0]
    coordinator = next(p for p in team["participant"] if p.get("role") == [{"text": "Coordinator"}])
    assert coordinator["member"]["display"] == "Coordinator, Addiction counselling"
    assert "Lene Hauge" in team["note"][0]["text"]
    consent = resources(bundle, "Consent")[0]
    assert consent["scope"]["coding"][0]["code"] == "patient-privacy"
    import base64
    assert "Nothing goes to Rune" in base64.b64decode(consent["sourceAttachment"]["data"]).decode()
    notes = "\n".join(note["text"] for note in care_plan["note"])
    assert "**What matters to me**" in notes and "Trained cook" in notes and "116 117" in notes


def test_a_plan_without_consent_goals_or_measures_still_validates():
    content = {"sections": {"what_matters": "I want a home."}, "goals": [], "measures": [
        {"id": "m1", "what": "", "service": "", "role": "", "due": "soon", "goal_id": ""}]}
    bundle, document = fhir_bundle(frozen_version(content)), sip_document(frozen_version(content))
    assert fhir_problems(bundle) == [] and sip_problems(document) == []
    assert resources(bundle, "Consent") == [] and resources(bundle, "Goal") == []
    assert resources(bundle, "CarePlan")[0]["activity"] == [{"detail": {"status": "not-started",
                                                                        "scheduledString": "soon"}}]
    assert document["consent"] == {"recorded": False}


def test_no_html_reaches_either_export_and_odd_spaces_are_plain():
    hostile = {
        "sections": {"what_matters": "I want <b>a home</b><script>alert(1)</script> <!-- hidden -->and a < b.",
                     "consent": "<img src=x onerror=alert(1)>GP\u00a0may share", "coordinator": "Lene <unclosed"},
        "goals": [{"id": "g1", "text": "<i>Flat</i>\u2028now", "timeframe": "<em>1 October</em>"}],
        "measures": [{"id": "m1", "what": "<a href='x'>Apply</a>", "service": "<span>NAV</span>",
                      "role": "Adviser", "due": "15\u00a0June", "goal_id": "g1"}],
    }
    version = frozen_version(hostile)
    bundle, document = fhir_bundle(version), sip_document(version)
    for exported in (bundle, document):
        text = json.dumps(exported, ensure_ascii=False)
        assert not TAG.search(text), TAG.search(text)
        assert "\u00a0" not in text and "\u2028" not in text
    assert fhir_problems(bundle) == [] and sip_problems(document) == []
    assert "and a < b." in document["needs"][0]["text"]
    assert resources(bundle, "CarePlan")[0]["activity"][0]["detail"]["scheduledPeriod"] == {"end": "2026-06-15"}


def test_a_withdrawn_or_replaced_version_is_no_longer_the_plan_in_force(app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    first = plan.versions[0]
    assert resources(fhir_bundle(first), "CarePlan")[0]["status"] == "active"
    services.withdraw(plan, world.owner)
    db.session.commit()
    assert resources(fhir_bundle(first), "CarePlan")[0]["status"] == "revoked"
    assert sip_document(first)["plan"]["status"] == "withdrawn"
    services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    second = plan.versions[-1]
    assert resources(fhir_bundle(second), "CarePlan")[0]["status"] == "active"
    assert sip_document(second)["plan"]["status"] == "current"
    assert {g["lifecycleStatus"] for g in resources(fhir_bundle(first), "Goal")} == {"cancelled"}


@pytest.mark.parametrize(("words", "after", "start", "end", "duration"), [
    ("15 June", date(2026, 5, 20), None, date(2026, 6, 15), None),
    ("15 June", date(2026, 12, 5), None, date(2027, 6, 15), None),
    ("by 1 September", date(2026, 5, 20), None, date(2026, 9, 1), None),
    ("from 1 July, twice a week", date(2026, 5, 20), date(2026, 7, 1), None, None),
    ("fra 1. juli", date(2026, 5, 20), date(2026, 7, 1), None, None),
    ("innen 1. oktober 2027", date(2026, 5, 20), None, date(2027, 10, 1), None),
    ("June 3rd", date(2026, 5, 20), None, date(2026, 6, 3), None),
    ("15.06.2027", date(2026, 5, 20), None, date(2027, 6, 15), None),
    ("15.6.", date(2026, 5, 20), None, date(2026, 6, 15), None),
    ("2027-01-31", date(2026, 5, 20), None, date(2027, 1, 31), None),
    ("from 1 June to 30 June", date(2026, 5, 20), date(2026, 6, 1), date(2026, 6, 30), None),
    ("within six months", date(2026, 5, 20), None, None, Duration(6, "mo")),
    ("innen tre uker", date(2026, 5, 20), None, None, Duration(3, "wk")),
    ("in 2 years", date(2026, 5, 20), None, None, Duration(2, "a")),
    ("1.5 hours a day", date(2026, 5, 20), None, None, None),
    ("31 February", date(2026, 5, 20), None, None, None),
    ("twice a week", date(2026, 5, 20), None, None, None),
    ("after the summer", date(2026, 5, 20), None, None, None),
])
def test_times_in_words_are_read_only_where_they_are_unambiguous(words, after, start, end, duration):
    when = read_when(words, after)
    assert (when.start, when.end, when.duration) == (start, end, duration)
    assert when.text == words


# --- downloads --------------------------------------------------------------------------------------------------

def test_the_downloads_are_attachments_of_valid_json_for_whoever_may_read_the_version(app, client, make_client):
    world = World()
    world.write(FULL_PLAN)
    plan = world.to_state(PlanState.in_review)
    login(client, world.owner.email)
    response = client.get(f"/plans/{plan.id}/versions/1/fhir.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="care-plan-anna-{plan.id}-v1.fhir.json"'
    bundle = json.loads(response.get_data(as_text=True))
    assert bundle == fhir_bundle(plan.versions[0]) and fhir_problems(bundle) == []
    response = client.get(f"/plans/{plan.id}/versions/1/sip.json")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith(f'-{plan.id}-v1.sip.json"')
    assert sip_problems(json.loads(response.get_data(as_text=True))) == []
    assert client.get(f"/plans/{plan.id}/versions/2/fhir.json").status_code == 404

    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    assert reviewer.get(f"/plans/{plan.id}/versions/1/sip.json").status_code == 200
    other = make_client()
    login(other, world.other_student.email)
    assert other.get(f"/plans/{plan.id}/versions/1/fhir.json").status_code == 404
    assert make_client().get(f"/plans/{plan.id}/versions/1/fhir.json").status_code == 302


def test_an_export_that_fails_its_checks_is_not_sent(app, client, monkeypatch):
    world = World()
    plan = world.to_state(PlanState.submitted)
    monkeypatch.setattr("app.plans.structured.fhir_problems", lambda bundle: ["CarePlan/status: broken"])
    login(client, world.owner.email)
    response = client.get(f"/plans/{plan.id}/versions/1/fhir.json")
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers
    assert "could not be made correctly" in response.get_data(as_text=True)


# --- what the student is shown ----------------------------------------------------------------------------------

def test_the_version_page_says_what_of_this_plan_became_structured_and_what_did_not(app, client):
    world = World()
    content = copy.deepcopy(GOOD_CONTENT)
    content["measures"].append({"id": "m2", "what": "Walk Luna with Siv", "service": "", "role": "", "due": "",
                                "goal_id": ""})
    content["measures"].append({"id": "m3", "what": "Cooking course", "service": "Adult education",
                                "role": "Teacher", "due": "after the summer", "goal_id": "g1"})
    world.write(content)
    plan = world.to_state(PlanState.submitted)
    login(client, world.owner.email)
    html = client.get(f"/plans/{plan.id}/versions/1").get_data(as_text=True)
    assert "Version 1 as a shared digital plan" in html
    assert "1 of 3 have a responsible service or role and a date" in html
    assert "Measure 2 has no date and would reach the shared plan without a period." in html
    assert "Measure 2 names no responsible service or role" in html
    assert "Measure 2 serves no goal" in html
    assert "Measure 3: “after the summer” is not a date the shared plan can schedule" in html
    assert "Your coordinator section travels only as a note on the care team." in html
    assert "Your consent section became a Consent record" in html
    assert "My strengths and resources</li>" in html
    assert f'href="/plans/{plan.id}/versions/1/fhir.json"' in html and f'href="/plans/{plan.id}/versions/1/sip.json"' in html

    post(client, "/locale", {"locale": "nb"})
    html = client.get(f"/plans/{plan.id}/versions/1").get_data(as_text=True)
    assert "Versjon 1 som delt digital plan" in html
    assert "Tiltak 2 har ingen dato" in html


def test_the_plan_page_explains_the_draft_and_offers_the_latest_versions_downloads(app, client):
    world = World()
    world.write()
    login(client, world.owner.email)
    html = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Your saved draft as a shared digital plan" in html
    assert "Once you submit, each version can be downloaded as FHIR and as SIP." in html
    plan = world.to_state(PlanState.submitted)
    html = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'href="/plans/{plan.id}/versions/1/fhir.json"' in html
    assert "1 of 1 have a responsible service or role and a date" in html


def test_the_editors_explanation_follows_each_save_of_each_students_own_draft(app, make_client):
    """The editor keeps its account of the saved draft per text: a save that adds a measure without a date shows at
    the next opening, and two students with different drafts each read about their own."""
    first, second = World(), World()
    first.write()
    second.write({"sections": {"what_matters": "I want a home."}, "goals": [], "measures": []})
    readers = {}
    for world in (first, second):
        readers[world] = make_client()
        login(readers[world], world.owner.email)
    html = readers[first].get(f"/plans/{first.plan.id}").get_data(as_text=True)
    assert "1 of 1 have a responsible service or role and a date" in html
    assert "Your plan has no measures" not in html
    html = readers[second].get(f"/plans/{second.plan.id}").get_data(as_text=True)
    assert "Your plan has no measures, so the care plan has no activities." in html
    assert "1 of 1 have a responsible service or role and a date" not in html

    content = copy.deepcopy(GOOD_CONTENT)
    content["measures"].append({"id": "m9", "what": "Visit the dentist", "service": "", "role": "", "due": "",
                                "goal_id": ""})
    first.write(content)
    html = readers[first].get(f"/plans/{first.plan.id}").get_data(as_text=True)
    assert "1 of 2 have a responsible service or role and a date" in html
    assert "Measure 2 has no date and would reach the shared plan without a period." in html


def test_staff_see_the_same_explanation_of_the_plan_they_read(app, client):
    world = World()
    plan = world.to_state(PlanState.submitted)
    login(client, world.leader.email)
    html = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "shared digital plan" in html and f"/plans/{plan.id}/versions/1/sip.json" in html


def test_a_draft_without_rows_says_what_is_missing_and_the_history_offers_the_files(app, client):
    world = World()
    world.write({"sections": {"what_matters": "I want a home."}, "goals": [], "measures": []})
    login(client, world.owner.email)
    html = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Your plan has no goals, so the shared plan has no Goal records." in html
    assert "Your plan has no measures, so the care plan has no activities." in html
    assert "The plan names no coordinator, so the care team has none." in html
    assert "The plan records no consent: there is no Consent record" in html
    world.write()
    plan = world.to_state(PlanState.submitted)
    history = client.get(f"/plans/{plan.id}/history").get_data(as_text=True)
    assert f'href="/plans/{plan.id}/versions/1/fhir.json"' in history


def test_two_entries_with_one_fullurl_fail_the_projects_checks():
    bundle = fhir_bundle(frozen_version(FULL_PLAN))
    bundle["entry"].append(copy.deepcopy(bundle["entry"][1]))
    assert "Bundle/entry: two entries have the same fullUrl (bdl-7)" in code_problems(bundle)
