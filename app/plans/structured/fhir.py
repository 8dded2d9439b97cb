"""A submitted plan version as an HL7 FHIR R4 Bundle (type `collection`), resources linked by `urn:uuid` ids.

- the person → Patient; each goal → Goal (`expressedBy` and `subject` the person, a due date or duration when the
  time frame can be read, else the time frame's words as a note);
- the measures → CarePlan.activity.detail: the words as `description`, status `not-started` (a plan says what will
  be done, not how far it has come), the goal it serves as `goal`, the responsible service and role as `performer`
  (an Organization for the service, a PractitionerRole for the role), the time as `scheduledPeriod` when it can be
  read as dates, else `scheduledString` with the words;
- the coordinator → CareTeam participant with the coordinator's role (the member is the measure whose role names
  the coordinator); the coordinator section's words → a CareTeam note;
- the consent section → Consent (privacy consent, opt-in), its words as a Markdown attachment;
- the sections without a structured place (what matters, strengths, network, crisis plan, evaluation) → CarePlan
  notes, Markdown, each headed with its section's name.

Ids are UUIDs derived from the plan, the version and the part (uuid5), and the only time in the bundle is the
version's submission: the same version gives the same bundle every time. Nothing about the student is included."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from app.plans.structured.dates import When, instant
from app.plans.structured.reading import Measure, PlanReading

NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-5e49-9a0c-4d2e8b1f7a63")

CONSENT_SCOPE = {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy",
                 "display": "Privacy Consent"}
CONSENT_CATEGORY = {"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}
CONSENT_POLICY_RULE = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN",
                       "display": "opt-in"}
UCUM = "http://unitsofmeasure.org"
UNIT_NAMES = {"d": "days", "wk": "weeks", "mo": "months", "a": "years"}

# The export's own words, in the language the plan is written in (not the reader's: the file is the plan's).
WORDS = {
    "en": {"title": "Individual plan for {name}, version {n}", "category": "Individual plan",
           "team": "{name}'s care team", "goal": "Goal {n}", "coordinator": "Coordinator", "person": "Person the plan is for",
           "timeframe": "Time frame in the plan's words: {text}", "consent": "Consent and sharing",
           "what_matters": "What matters to me", "strengths": "My strengths and resources", "network": "My network",
           "crisis_plan": "Crisis plan", "evaluation": "Evaluation"},
    "nb": {"title": "Individuell plan for {name}, versjon {n}", "category": "Individuell plan",
           "team": "Ansvarsgruppen til {name}", "goal": "Mål {n}", "coordinator": "Koordinator", "person": "Personen planen gjelder",
           "timeframe": "Tidsramme med planens ord: {text}", "consent": "Samtykke og deling",
           "what_matters": "Dette er viktig for meg", "strengths": "Mine ressurser", "network": "Mitt nettverk",
           "crisis_plan": "Kriseplan", "evaluation": "Evaluering"},
}


def words_for(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def care_plan_status(version) -> str:
    """`active` for the version in force; `revoked` for one withdrawn or replaced by a later version."""
    plan = version.plan
    if version.withdrawn_at is not None or any(v.number > version.number for v in plan.versions):
        return "revoked"
    return "active"


class _Ids:
    """Deterministic resource ids for one version: the same version always gives the same ids."""

    def __init__(self, plan_id: int, number: int):
        self.prefix = f"care-plan-lab/plan/{plan_id}/version/{number}"

    def __call__(self, *part: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join((self.prefix, *part))))


def _ref(resource_id: str, display: str | None = None) -> dict:
    ref = {"reference": f"urn:uuid:{resource_id}"}
    if display:
        ref["display"] = display
    return ref


def _period(when: When) -> dict:
    period = {}
    if when.start:
        period["start"] = when.start.isoformat()
    if when.end:
        period["end"] = when.end.isoformat()
    return period


def bundle_for(reading: PlanReading, *, plan_id: int, number: int, person: str, status: str,
               submitted_at: datetime) -> dict:
    """The bundle of one reading of a plan (see `fhir_bundle` for a version)."""
    ids = _Ids(plan_id, number)
    words = words_for(reading.language)
    active = status == "active"
    patient_id, plan_ref_id, team_id, consent_id = ids("person"), ids("care-plan"), ids("care-team"), ids("consent")
    person_ref = _ref(patient_id, person)
    resources: list[dict] = [{"resourceType": "Patient", "id": patient_id, "name": [{"text": person}]}]

    organisations: dict[str, str] = {}
    for service in reading.services:
        organisations[service.casefold()] = ids("service", service.casefold())
        resources.append({"resourceType": "Organization", "id": organisations[service.casefold()], "name": service})

    roles: dict[tuple[str, str], str] = {}

    def performer(measure: Measure) -> dict | None:
        """The measure's responsible: a PractitionerRole for a role (at its service), else the service."""
        if not measure.role:
            return _ref(organisations[measure.service.casefold()], measure.service) if measure.service else None
        key = (measure.service.casefold(), measure.role.casefold())
        display = f"{measure.role}, {measure.service}" if measure.service else measure.role
        if key not in roles:
            roles[key] = ids("role", *key)
            role = {"resourceType": "PractitionerRole", "id": roles[key], "active": active,
                    "code": [{"text": measure.role}]}
            if measure.service:
                role["organization"] = _ref(organisations[key[0]], measure.service)
            resources.append(role)
        return _ref(roles[key], display)

    goal_ids = {goal.id: ids("goal", goal.id) for goal in reading.goals}
    goals = []
    for goal in reading.goals:
        resource: dict = {"resourceType": "Goal", "id": goal_ids[goal.id],
                          "lifecycleStatus": "active" if active else "cancelled",
                          "description": {"text": goal.text or words["goal"].format(n=goal.number)},
                          "subject": person_ref, "expressedBy": person_ref}
        if goal.when.has_date:
            resource["target"] = [{"dueDate": (goal.when.end or goal.when.start or reading.made_on).isoformat()}]
        elif goal.when.duration:
            duration = goal.when.duration
            resource["target"] = [{"dueDuration": {"value": duration.value, "unit": UNIT_NAMES[duration.unit],
                                                   "system": UCUM, "code": duration.unit}}]
        elif goal.when.text:
            resource["note"] = [{"text": words["timeframe"].format(text=goal.when.text)}]
        goals.append(resource)

    activities, performers = [], []
    for measure in reading.measures:
        detail: dict = {"status": "not-started"}
        if measure.what:
            detail["description"] = measure.what
        if measure.goal is not None:
            detail["goal"] = [_ref(goal_ids[measure.goal.id], measure.goal.text or None)]
        who = performer(measure)
        if who is not None:
            detail["performer"] = [who]
            if who not in performers:
                performers.append(who)
        if measure.when.has_date:
            detail["scheduledPeriod"] = _period(measure.when)
        elif measure.when.text:
            detail["scheduledString"] = measure.when.text
        activities.append({"detail": detail})

    participants = [{"role": [{"text": words["person"]}], "member": person_ref}]
    coordinator = reading.coordinator_measure
    coordinator_ref = performer(coordinator) if coordinator is not None else None
    if coordinator_ref is not None or reading.sections.get("coordinator"):
        participant: dict = {"role": [{"text": words["coordinator"]}]}
        if coordinator_ref is not None:
            participant["member"] = coordinator_ref
        participants.append(participant)
    for who in performers:
        if who != coordinator_ref:
            participants.append({"member": who})
    team: dict = {"resourceType": "CareTeam", "id": team_id, "status": "active" if active else "inactive",
                  "name": words["team"].format(name=person), "subject": person_ref, "participant": participants}
    if reading.sections.get("coordinator"):
        team["note"] = [{"text": f"**{words['coordinator']}**\n\n{reading.sections['coordinator']}"}]

    care_plan: dict = {"resourceType": "CarePlan", "id": plan_ref_id, "status": status, "intent": "plan",
                       "category": [{"text": words["category"]}],
                       "title": words["title"].format(name=person, n=number), "subject": person_ref,
                       "created": instant(submitted_at), "careTeam": [_ref(team_id)]}
    if goals:
        care_plan["goal"] = [_ref(goal["id"]) for goal in goals]
    if activities:
        care_plan["activity"] = activities
    notes = [{"text": f"**{words[key]}**\n\n{reading.sections[key]}"} for key in reading.text_only]
    if notes:
        care_plan["note"] = notes

    entries = [care_plan, *goals, team, *resources]
    if reading.has_consent:
        consent_words = reading.sections["consent"].encode("utf-8")
        entries.append({
            "resourceType": "Consent", "id": consent_id, "status": "active" if active else "inactive",
            "scope": {"coding": [CONSENT_SCOPE], "text": words["consent"]},
            "category": [{"coding": [CONSENT_CATEGORY]}], "patient": person_ref,
            "dateTime": instant(submitted_at), "policyRule": {"coding": [CONSENT_POLICY_RULE]},
            "sourceAttachment": {"contentType": "text/markdown; charset=utf-8", "language": reading.language,
                                 "data": base64.b64encode(consent_words).decode("ascii"),
                                 "title": words["consent"]}})
    bundle_id = ids("bundle")
    bundle = {"resourceType": "Bundle", "id": bundle_id, "language": reading.language,
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"}, "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in entries]}
    # A plain JSON tree, no part shared between two places (the references above are built once and reused).
    return json.loads(json.dumps(bundle))
