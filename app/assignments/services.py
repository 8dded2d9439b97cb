"""Assignments: a case version and a rubric version set for a cohort, with dates. Services flush; callers commit."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from app.assignments.models import Assignment
from app.audit.services import record
from app.cases.models import Case, CaseVersion
from app.db import db, utcnow
from app.errors import Conflict, ValidationError
from app.plans.models import Plan, PlanVersion
from app.rubrics.models import Rubric, RubricVersion

FIELDS = ("title", "instructions", "case_version_id", "rubric_version_id", "opens_at", "due_at", "review_due_at",
          "allow_late", "second_opinion_resolver")


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A wall-clock time entered in the course's time zone, as an aware UTC datetime."""

    if local.tzinfo is None:
        local = local.replace(tzinfo=local_zone())
    return local.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_zone()).replace(tzinfo=None)


def _check(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ValidationError(_("Give the assignment a title."))
    if values["due_at"] <= values["opens_at"]:
        raise ValidationError(_("The due date must come after the opening date."))
    if values["review_due_at"] < values["due_at"]:
        raise ValidationError(_("The review due date cannot come before the due date."))
    if db.session.get(CaseVersion, values["case_version_id"]) is None:
        raise ValidationError(_("Choose a case."))
    if db.session.get(RubricVersion, values["rubric_version_id"]) is None:
        raise ValidationError(_("Choose a rubric."))


def create_assignment(cohort, actor, **values) -> Assignment:
    _check(values)
    assignment = Assignment(cohort_id=cohort.id, created_by_id=actor.id,
                            **{k: values[k] for k in FIELDS if k in values})
    assignment.title = assignment.title.strip()
    db.session.add(assignment)
    db.session.flush()
    record("assignment.created", actor=actor, cohort=cohort, subject=assignment, title=assignment.title)
    return assignment


def update_assignment(assignment: Assignment, actor, **values) -> list[str]:
    """Change an assignment; returns the names of the fields that changed (dates are audited)."""
    merged = {k: values.get(k, getattr(assignment, k)) for k in FIELDS}
    _check(merged)
    changed = []
    for key in FIELDS:
        if getattr(assignment, key) != merged[key]:
            before = getattr(assignment, key)
            setattr(assignment, key, merged[key])
            changed.append(key)
            if key.endswith("_at"):
                record("assignment.date_changed", actor=actor, cohort=assignment.cohort, subject=assignment,
                       field=key, **{"from": before.isoformat(), "to": merged[key].isoformat()})
    if changed:
        record("assignment.updated", actor=actor, cohort=assignment.cohort, subject=assignment, fields=changed)
    db.session.flush()
    return changed


def close_assignment(assignment: Assignment, actor) -> None:
    """No new submissions from now on; drafts stay, and reviews of submitted plans go on."""
    if assignment.closed_at is not None:
        raise Conflict(_("This assignment is already closed."))
    assignment.closed_at = utcnow()
    record("assignment.closed", actor=actor, cohort=assignment.cohort, subject=assignment, title=assignment.title)
    db.session.flush()


def reopen_assignment(assignment: Assignment, actor) -> None:
    if assignment.closed_at is None:
        raise Conflict(_("This assignment is already open."))
    closed_at = assignment.closed_at
    assignment.closed_at = None
    record("assignment.reopened", actor=actor, cohort=assignment.cohort, subject=assignment, title=assignment.title,
           closed_at=closed_at.isoformat())
    db.session.flush()


def has_submissions(assignment: Assignment) -> bool:
    return db.session.scalar(
        db.select(db.func.count(PlanVersion.id)).join(Plan, Plan.id == PlanVersion.plan_id)
        .where(Plan.assignment_id == assignment.id)
    ) > 0


def assignments_of(cohort) -> list[Assignment]:
    return list(db.session.scalars(db.select(Assignment).where(Assignment.cohort_id == cohort.id)
                                   .order_by(Assignment.due_at)))


def case_version_choices(locale: str) -> list[tuple[int, str]]:
    rows = db.session.scalars(db.select(CaseVersion).join(Case).order_by(Case.slug, CaseVersion.number.desc()))
    return [(v.id, f"{v.title_in(locale)} — {_('version %(n)d', n=v.number)}") for v in rows]


def rubric_version_choices(locale: str) -> list[tuple[int, str]]:
    rows = db.session.scalars(db.select(RubricVersion).join(Rubric).order_by(Rubric.slug, RubricVersion.number.desc()))
    return [(v.id, f"{v.title_in(locale)} — {_('version %(n)d', n=v.number)}") for v in rows]


def contents_in_use() -> list[tuple[CaseVersion, RubricVersion]]:
    """The case and rubric versions of the assignments not closed: what plans are being written and reviewed on."""
    pairs = db.select(Assignment.case_version_id, Assignment.rubric_version_id) \
        .where(Assignment.closed_at.is_(None)).distinct().subquery()
    rows = db.session.execute(
        db.select(CaseVersion, RubricVersion)
        .join(pairs, pairs.c.case_version_id == CaseVersion.id)
        .join(RubricVersion, RubricVersion.id == pairs.c.rubric_version_id)).all()
    return [(case, rubric) for case, rubric in rows]
