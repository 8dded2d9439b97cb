"""Checking the exports: the FHIR bundle against HL7's R4 JSON Schema (vendored in `schema/`, see its README) and
against the codes R4 binds that the schema leaves open; the SIP document against its own schema.

The schema is large (3.4 MB): it is read once, when first needed, and each resource is checked against its own
definition. The schema's `ResourceList` is a `oneOf` over all 146 resource types told apart by `resourceType`;
checking a resource against the definition its `resourceType` names is the same check (a resource matches exactly
that one), without trying the other 145 first."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator, Draft202012Validator

SCHEMA_DIR = Path(__file__).parent / "schema"

# Codes with a required binding in R4 that the JSON Schema types as a bare `code` (CarePlan.status and .intent, an
# activity's kind), and the others this export writes, held to the same rule so one place says what it may write.
# (Written as words: these are FHIR's codes, not the plan's own states, which live in app/plans/states.py.)
VALUE_SETS: dict[str, frozenset[str]] = {path: frozenset(codes.split()) for path, codes in {
    "Bundle.type": "document message transaction transaction-response batch batch-response history searchset collection",
    "CarePlan.status": "draft active on-hold revoked completed entered-in-error unknown",  # request-status
    "CarePlan.intent": "proposal plan order option",  # care-plan-intent
    "CarePlan.activity.detail.status":
        "not-started scheduled in-progress on-hold completed cancelled stopped unknown entered-in-error",
    "CarePlan.activity.detail.kind": "Appointment CommunicationRequest DeviceRequest MedicationRequest NutritionOrder "
                                     "Task ServiceRequest VisionPrescription",
    "Goal.lifecycleStatus": "proposed planned accepted active on-hold completed cancelled entered-in-error rejected",
    "CareTeam.status": "proposed active suspended inactive entered-in-error",
    "Consent.status": "draft proposed active rejected inactive entered-in-error",
}.items()}
# Codings whose value sets are extensible in R4, held here to the codes this export means to use.
CODINGS: dict[str, dict[str, frozenset[str]]] = {
    "Consent.scope": {"http://terminology.hl7.org/CodeSystem/consentscope":
                      frozenset({"adr", "research", "patient-privacy", "treatment"})},
    "Consent.category": {"http://loinc.org": frozenset({"59284-0", "57016-8", "57017-6", "64292-6"})},
}


@cache
def fhir_schema() -> dict:
    return json.loads((SCHEMA_DIR / "fhir.schema.json").read_text(encoding="utf-8"))


@cache
def _fhir_validator(definition: str) -> Draft6Validator:
    root = {key: value for key, value in fhir_schema().items() if key not in ("oneOf", "discriminator")}
    return Draft6Validator({**root, "$ref": f"#/definitions/{definition}"})


@cache
def sip_schema() -> dict:
    return json.loads((SCHEMA_DIR / "sip.schema.json").read_text(encoding="utf-8"))


def _errors(validator, instance: Any, where: str) -> list[str]:
    return [f"{where}{'/' + '/'.join(str(p) for p in error.absolute_path) if error.absolute_path else ''}: "
            f"{error.message[:300]}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))]


def schema_errors(bundle: dict) -> list[str]:
    """Where the bundle breaks HL7's R4 JSON Schema ([] when it keeps it)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["the export is not a FHIR Bundle"]
    shell = {**bundle, "entry": [{k: v for k, v in entry.items() if k != "resource"} if isinstance(entry, dict)
                                 else entry for entry in bundle.get("entry", [])]}
    problems = _errors(_fhir_validator("Bundle"), shell, "Bundle")
    definitions = fhir_schema()["definitions"]
    for index, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(kind, str) or kind not in definitions or "properties" not in definitions[kind] \
                or "resourceType" not in definitions[kind]["properties"]:
            problems.append(f"Bundle/entry/{index}/resource: not a FHIR R4 resource ({kind!r})")
            continue
        problems += _errors(_fhir_validator(kind), resource, f"Bundle/entry/{index}/resource")
    return problems


def _code_problems(resource: dict, where: str) -> list[str]:
    kind = resource.get("resourceType")
    problems = []

    def check(path: str, value, at: str) -> None:
        if value is not None and value not in VALUE_SETS[path]:
            problems.append(f"{at}: {value!r} is not a code of {path} in FHIR R4")

    if kind == "CarePlan":
        for field in ("status", "intent"):
            if field not in resource:
                problems.append(f"{where}/{field}: CarePlan.{field} is required")
            check(f"CarePlan.{field}", resource.get(field), f"{where}/{field}")
        for n, activity in enumerate(resource.get("activity", [])):
            detail = activity.get("detail") if isinstance(activity, dict) else None
            if isinstance(detail, dict):
                if "status" not in detail:
                    problems.append(f"{where}/activity/{n}/detail/status: required")
                check("CarePlan.activity.detail.status", detail.get("status"), f"{where}/activity/{n}/detail/status")
                check("CarePlan.activity.detail.kind", detail.get("kind"), f"{where}/activity/{n}/detail/kind")
    elif kind == "Goal":
        if "lifecycleStatus" not in resource:
            problems.append(f"{where}/lifecycleStatus: Goal.lifecycleStatus is required")
        check("Goal.lifecycleStatus", resource.get("lifecycleStatus"), f"{where}/lifecycleStatus")
    elif kind in ("CareTeam", "Consent"):
        check(f"{kind}.status", resource.get("status"), f"{where}/status")
    if kind == "Consent":
        if "status" not in resource:
            problems.append(f"{where}/status: Consent.status is required")
        if "policy" not in resource and "policyRule" not in resource:
            problems.append(f"{where}: a Consent needs a policy or a policyRule (ppc-1)")
        for field in ("scope", "category"):
            concepts = resource.get(field)
            for n, concept in enumerate(concepts if isinstance(concepts, list) else [concepts]):
                for m, coding in enumerate((concept or {}).get("coding", [])):
                    known = CODINGS[f"Consent.{field}"].get(coding.get("system"))
                    if known is None or coding.get("code") not in known:
                        problems.append(f"{where}/{field}/{n}/coding/{m}: {coding.get('system')}|{coding.get('code')}"
                                        f" is not a code this export uses for Consent.{field}")
    return problems


def _references(value, at: str):
    """Every Reference.reference in a resource, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield at, item
            else:
                yield from _references(item, f"{at}/{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _references(item, f"{at}/{n}")


def code_problems(bundle: dict) -> list[str]:
    """What the schema leaves open: the status and other codes R4 binds, each entry's fullUrl naming its resource,
    and every reference pointing at an entry of the bundle."""
    problems = []
    check = VALUE_SETS["Bundle.type"]
    if bundle.get("type") not in check:
        problems.append(f"Bundle/type: {bundle.get('type')!r} is not a code of Bundle.type in FHIR R4")
    entries = [entry for entry in bundle.get("entry", []) if isinstance(entry, dict)]
    full_urls = {entry.get("fullUrl") for entry in entries}
    if len(full_urls) < len(entries):
        problems.append("Bundle/entry: two entries have the same fullUrl (bdl-7)")
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        where = f"Bundle/entry/{index}/resource"
        if not isinstance(resource, dict):
            problems.append(f"{where}: missing")
            continue
        if entry.get("fullUrl") != f"urn:uuid:{resource.get('id')}":
            problems.append(f"Bundle/entry/{index}/fullUrl: should be urn:uuid:{resource.get('id')}")
        problems += _code_problems(resource, where)
        for at, reference in _references(resource, where):
            if reference not in full_urls:
                problems.append(f"{at}: {reference} is not in the bundle")
    return problems


def fhir_problems(bundle: dict) -> list[str]:
    """Everything wrong with a FHIR bundle: the schema's findings, then the project's own ([] when valid)."""
    problems = schema_errors(bundle)
    if isinstance(bundle, dict) and bundle.get("resourceType") == "Bundle":
        problems += code_problems(bundle)
    return problems


@cache
def _sip_validator() -> Draft202012Validator:
    return Draft202012Validator(sip_schema())


def sip_problems(document: dict) -> list[str]:
    """Where a SIP document breaks its schema ([] when it keeps it)."""
    return _errors(_sip_validator(), document, "sip")
