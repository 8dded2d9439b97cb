"""A plan version as structured data: an HL7 FHIR R4 Bundle and a compact document following SIP's concepts, and
what of the plan each could carry. Pure functions of a version (no request, no database writes), for the version's
downloads and for any later export of many plans.

- `fhir_bundle(version) -> dict` and `sip_document(version) -> dict`: the two exports;
- `fhir_problems(bundle)` and `sip_problems(document)`: what is wrong with them ([] when valid);
- `carried(content, made_on, language)`: what a shared plan would hold of a plan's content, for the student."""
from __future__ import annotations

from datetime import date

from app.plans.structured.checks import fhir_problems, sip_problems
from app.plans.structured.dates import day_of
from app.plans.structured.fhir import bundle_for, care_plan_status
from app.plans.structured.reading import PlanReading, read_plan
from app.plans.structured.sip import document_for

__all__ = ["carried", "fhir_bundle", "fhir_problems", "reading_of", "sip_document", "sip_problems"]


def reading_of(version) -> PlanReading:
    return read_plan(version.content, day_of(version.submitted_at), version.language)


def _about(version) -> dict:
    plan = version.plan
    return dict(plan_id=plan.id, number=version.number, person=plan.case_version.person_name,
                status=care_plan_status(version), submitted_at=version.submitted_at)


def fhir_bundle(version) -> dict:
    """The version as a FHIR R4 Bundle (see `app.plans.structured.fhir`)."""
    return bundle_for(reading_of(version), **_about(version))


def sip_document(version) -> dict:
    """The version as a SIP document (see `app.plans.structured.sip`)."""
    return document_for(reading_of(version), withdrawn=version.withdrawn_at is not None, **_about(version))


def carried(content: dict, made_on: date, language: str) -> PlanReading:
    """What a shared digital plan would hold of this content: the reading the exports are made from."""
    return read_plan(content, made_on, language)
