"""The assistant inside the app: checks of plan fields, dismissals, the summary before submitting, stored hints."""
from __future__ import annotations

from collections import Counter

from flask_babel import force_locale
from flask_babel import gettext as _

from app.db import db
from app.errors import NotPermitted, ValidationError
from app.language.core import CATEGORIES, check_text
from app.language.models import HintDismissal
from app.language.resource import check_plan
from app.plans import workflow
from app.plans.content import GOAL_FIELDS, MEASURE_FIELDS, SECTION_BY_KEY, TEXT_SECTIONS, word_count
from app.plans.services import plan_language

MAX_CHECK_CHARS = 100_000
CONTEXT = 24


def plan_fields(content: dict) -> dict[str, str]:
    """Every piece of free text in a plan, by field key (the same keys the editor uses)."""
    fields = {key: content["sections"].get(key, "") for key in TEXT_SECTIONS}
    for goal in content.get("goals", []):
        for name in GOAL_FIELDS:
            fields[f"goals.{goal['id']}.{name}"] = goal.get(name, "")
    for measure in content.get("measures", []):
        for name in MEASURE_FIELDS:
            if name != "goal_id":
                fields[f"measures.{measure['id']}.{name}"] = measure.get(name, "")
    return fields


def context_of(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT):min(len(text), end + CONTEXT)]


def dismissals_for(plan_id: int) -> list[HintDismissal]:
    return list(db.session.scalars(db.select(HintDismissal).where(HintDismissal.plan_id == plan_id)))


def _dismissed_by(finding, field: str, text: str, dismissals) -> HintDismissal | None:
    for dismissal in dismissals:
        if dismissal.field != field or dismissal.rule != finding.rule or dismissal.text != finding.text:
            continue
        # the same passage: the words around the hint are still there
        if dismissal.context in text and text.find(dismissal.context) <= finding.start <= \
                text.find(dismissal.context) + len(dismissal.context):
            return dismissal
    return None


def check_field(text: str, lang: str, *, field: str | None = None, dismissals=()) -> list[dict]:
    """Findings for one piece of text, each marked dismissed or open."""
    if len(text) > MAX_CHECK_CHARS:
        raise ValidationError(_("The text is too long to check at once."))
    result = []
    for finding in check_text(text, lang):
        item = finding.as_dict()
        found = _dismissed_by(finding, field, text, dismissals) if field else None
        item["dismissed"] = found is not None
        if found is not None:
            item["dismissed_reason"] = found.reason
        item["context"] = context_of(text, finding.start, finding.end)
        result.append(item)
    return result


def hints_for_plan(content: dict, lang: str, person_name: str | None = None, dismissals=()) -> dict:
    """Everything the assistant says about a whole plan; stored with each version."""
    findings: list[dict] = []
    counts: Counter[str] = Counter()
    open_counts: Counter[str] = Counter()
    for field, text in plan_fields(content).items():
        if not text:
            continue
        for item in check_field(text, lang, field=field, dismissals=dismissals):
            item["field"] = field
            findings.append(item)
            counts[item["category"]] += 1
            if not item["dismissed"]:
                open_counts[item["category"]] += 1
    plan_hints = labelled_plan_hints(content, check_plan(content, lang, person_name), lang)
    return {
        "lang": lang, "words": word_count(content), "findings": findings,
        "counts": {c: counts[c] for c in CATEGORIES if counts[c]},
        "open_counts": {c: open_counts[c] for c in CATEGORIES if open_counts[c]},
        "plan_hints": plan_hints,
    }


def labelled_plan_hints(content: dict, hints, lang: str) -> list[dict]:
    """Plan-level hints as dicts, each naming the goal or measure it is about ("Measure 2: …"). The name is in the
    plan's language, as the hint itself is: "Tiltak 2: …" in a Norwegian plan, whatever language the page speaks."""
    with force_locale(lang):
        labels = {goal["id"]: _("Goal %(n)d", n=i) for i, goal in enumerate(content.get("goals", []), start=1)}
        labels.update({m["id"]: _("Measure %(n)d", n=i)
                       for i, m in enumerate(content.get("measures", []), start=1)})
        # a check that quotes words from a section says which section they are in ("Crisis plan: …")
        sections = {key: str(SECTION_BY_KEY[key].title) for key in TEXT_SECTIONS}
    result = []
    for hint in hints:
        item = hint.as_dict()
        if item.get("item") in labels:
            item["message"] = f"{labels[item['item']]}: {item['message']}"
        elif item["code"] in QUOTING_CHECKS and item["section"] in sections:
            item["message"] = f"{sections[item['section']]}: {item['message']}"
        result.append(item)
    return result


QUOTING_CHECKS = frozenset({"who_and_when"})


def submission_summary(plan) -> dict:
    """Before submitting: hints by category, open vs dismissed, and the plan-level hints. Never blocks."""
    hints = hints_for_plan(plan.draft, plan_language(plan), plan.case_version.person_name, dismissals_for(plan.id))
    rows = []
    for category in CATEGORIES:
        total = hints["counts"].get(category, 0)
        if total:
            open_ = hints["open_counts"].get(category, 0)
            rows.append({"category": category, "open": open_, "dismissed": total - open_})
    return {"rows": rows, "plan_hints": hints["plan_hints"], "open": sum(r["open"] for r in rows),
            "dismissed": sum(r["dismissed"] for r in rows)}


def dismiss(plan, actor, *, field: str, rule: str, text: str, context: str, reason: str) -> HintDismissal:
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who writes this plan can dismiss its hints."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say briefly why the hint does not apply, for example \"quoting Anna\"."))
    if len(reason) > 200 or len(text or "") > 200 or len(context or "") > 300 or len(field or "") > 80 \
            or len(rule or "") > 120:
        raise ValidationError(_("That is too long."))
    if not field or not rule or not text:
        raise ValidationError(_("Which hint? Reload the page and try again."))
    dismissal = HintDismissal(plan_id=plan.id, field=field, rule=rule, text=text, context=context or text,
                              reason=reason)
    db.session.add(dismissal)
    db.session.flush()
    return dismissal


def undo_dismissal(plan, actor, dismissal_id: int) -> None:
    dismissal = db.session.get(HintDismissal, dismissal_id)
    if dismissal is None or dismissal.plan_id != plan.id:
        raise ValidationError(_("That hint is not dismissed."))
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who writes this plan can change its hints."))
    db.session.delete(dismissal)
    db.session.flush()


CATEGORY_LABELS = {
    "label": lambda: _("Label"),
    "moral": lambda: _("Moral word"),
    "doubt": lambda: _("Doubting verb"),
    "deficit": lambda: _("Trait instead of need"),
    "jargon": lambda: _("Record language"),
    "coercion": lambda: _("Order or condition"),
    "passive": lambda: _("Person as object"),
}


def category_label(category: str) -> str:
    return CATEGORY_LABELS[category]() if category in CATEGORY_LABELS else category
