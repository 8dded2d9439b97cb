"""A submitted plan version as a compact JSON document following the concepts of SIP, the Swedish coordinated
individual plan, as Socialstyrelsen's national information structure names them: the person's needs (behov), goals
as a target state (mål), activities with their status and who is responsible (insats, status, ansvarig), the
person's participation (delaktighet), consent (samtycke) and follow-up (uppföljning).

The document's shape is described by `schema/sip.schema.json` and in docs/structured-export.md. Like the FHIR
bundle, it is the same every time for the same version, and names no student."""
from __future__ import annotations

from datetime import datetime

from app.plans.structured.dates import When, dates_in, instant
from app.plans.structured.fhir import words_for
from app.plans.structured.reading import PlanReading

FORMAT = "care-plan-lab/sip"
FORMAT_VERSION = 1
# A plan version's status for SIP, from the FHIR CarePlan's status it mirrors.
PLAN_STATUS = {"active": "current", "revoked": "replaced"}
# Sections a coordinated plan keeps only as text: no concept of the information structure holds them.
FREE_TEXT_SECTIONS = ("strengths", "crisis_plan")


def _when(when: When) -> dict:
    found: dict = {"text": when.text}
    if when.start:
        found["start"] = when.start.isoformat()
    if when.end:
        found["end"] = when.end.isoformat()
    if when.duration:
        found["within"] = {"value": when.duration.value, "unit": when.duration.unit}
    return found


def document_for(reading: PlanReading, *, plan_id: int, number: int, person: str, status: str,
                 withdrawn: bool, submitted_at: datetime) -> dict:
    """The SIP document of one reading of a plan (see `sip_document` for a version)."""
    words = words_for(reading.language)
    needs = [{"id": f"need{n}", "text": paragraph}
             for n, paragraph in enumerate((p.strip() for p in reading.sections.get("what_matters", "").split("\n\n")), 1)
             if paragraph]
    goals = []
    for goal in reading.goals:
        entry: dict = {"id": goal.id, "targetState": goal.text}
        if goal.when.text:
            entry["timeframe"] = _when(goal.when)
        goals.append(entry)
    activities = []
    for measure in reading.measures:
        activity: dict = {"id": measure.id, "description": measure.what, "status": "planned"}
        if measure.has_performer:
            responsible: dict = {}
            if measure.service:
                responsible["service"] = measure.service
            if measure.role:
                responsible["role"] = measure.role
            responsible["coordinator"] = measure.is_coordinator
            activity["responsible"] = responsible
        if measure.when.text:
            activity["when"] = _when(measure.when)
        activity["goals"] = [measure.goal.id] if measure.goal is not None else []
        activities.append(activity)

    coordinator_measure = reading.coordinator_measure
    participation: dict = {"inOwnWords": bool(needs)}
    if reading.sections.get("network"):
        participation["network"] = reading.sections["network"]
    if reading.sections.get("coordinator") or coordinator_measure is not None:
        coordinator: dict = {}
        if reading.sections.get("coordinator"):
            coordinator["text"] = reading.sections["coordinator"]
        if coordinator_measure is not None:
            coordinator["activity"] = coordinator_measure.id
        participation["coordinator"] = coordinator

    follow_up: dict = {}
    if reading.sections.get("evaluation"):
        follow_up["text"] = reading.sections["evaluation"]
        found = dates_in(reading.sections["evaluation"], reading.made_on)
        if found:
            follow_up["firstDate"] = found[0][1].isoformat()

    return {
        "format": FORMAT, "formatVersion": FORMAT_VERSION, "language": reading.language,
        "plan": {"id": plan_id, "version": number,
                 "status": "withdrawn" if withdrawn else PLAN_STATUS[status], "submitted": instant(submitted_at)},
        "person": {"name": person},
        "needs": needs, "goals": goals, "activities": activities, "participation": participation,
        "consent": {"recorded": reading.has_consent,
                    **({"text": reading.sections["consent"]} if reading.has_consent else {})},
        "followUp": follow_up,
        "freeText": [{"section": key, "title": words[key], "text": reading.sections[key]}
                     for key in FREE_TEXT_SECTIONS if reading.sections.get(key)],
    }
