"""Read side of the audit log: filtered, paginated entries, newest first, and a readable line for each."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEntry
from app.auth.models import User
from app.db import db

PER_PAGE = 50
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1
NUMBER = re.compile(r"[0-9]{1,12}")
KIND = re.compile(r"[a-z_]{1,20}\.[a-z_]{0,27}")

# What the filter offers: whole groups (ending in ".") and single kinds, each with a readable name.
KIND_LABELS = {
    "plan.": _l("All plan transitions"),
    "plan.submit": _l("Plan submitted"),
    "plan.withdraw": _l("Plan withdrawn"),
    "plan.allocate": _l("Reviewer allocated or changed"),
    "plan.claim": _l("Plan claimed by an instructor"),
    "plan.start_review": _l("Review started"),
    "plan.release": _l("Feedback released"),
    "plan.revise": _l("Revision started"),
    "plan.complete": _l("Plan completed"),
    "membership.": _l("All membership and role changes"),
    "membership.added": _l("Member added"),
    "membership.role_changed": _l("Role changed"),
    "membership.removed": _l("Member removed"),
    "assignment.": _l("All assignment changes"),
    "assignment.created": _l("Assignment created"),
    "assignment.updated": _l("Assignment edited"),
    "assignment.date_changed": _l("Assignment date changed"),
    "assignment.closed": _l("Assignment closed"),
    "assignment.reopened": _l("Assignment reopened"),
    "cohort.": _l("All cohort changes"),
    "cohort.created": _l("Cohort created"),
    "cohort.enrolled": _l("People enrolled from a file"),
    "cohort.join_code_regenerated": _l("New join code"),
    "user.": _l("All account changes"),
    "user.created": _l("Account created"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password set from a link"),
    "content.": _l("All content imports"),
    "content.case_imported": _l("Case imported"),
    "content.rubric_imported": _l("Rubric imported"),
}
DATE_FIELDS = {"opens_at": _l("opening date"), "due_at": _l("due date"), "review_due_at": _l("review due date")}
FIELD_LABELS = {**DATE_FIELDS, "title": _l("title"), "instructions": _l("instructions"), "case_version_id": _l("case"),
                "rubric_version_id": _l("rubric"), "allow_late": _l("late submissions")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass
class Filters:
    person: int | None = None
    kind: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        """Anything unexpected in the address is ignored, so a hand-edited link never ends in an error."""
        person, kind, page = args.get("person", ""), args.get("kind") or "", args.get("page", "")
        return cls(person=int(person) if NUMBER.fullmatch(person) and int(person) <= MAX_ID else None,
                   kind=kind if kind in KIND_LABELS or KIND.fullmatch(kind) else None,
                   page=min(int(page), MAX_PAGE) if NUMBER.fullmatch(page) and int(page) > 0 else 1)

    def as_args(self, **changes) -> dict:
        values = {"person": self.person, "kind": self.kind, "page": self.page if self.page > 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


def _scoped(query, cohort_id: int | None):
    return query.where(AuditEntry.cohort_id == cohort_id) if cohort_id is not None else query


def _about_person(person_id: int):
    """Entries by the person, or about their plan."""
    from app.plans.models import Plan

    their_plans = db.select(Plan.id).where(Plan.student_id == person_id)
    return (AuditEntry.actor_id == person_id) | (
        (AuditEntry.subject_type == "plan") & AuditEntry.subject_id.in_(their_plans))


def entries(cohort_id: int | None, filters: Filters) -> tuple[list[AuditEntry], int]:
    query = _scoped(db.select(AuditEntry), cohort_id)
    if filters.person is not None:
        query = query.where(_about_person(filters.person))
    if filters.kind:
        query = query.where(AuditEntry.kind.startswith(filters.kind, autoescape=True) if filters.kind.endswith(".")
                            else AuditEntry.kind == filters.kind)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(
        query.options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE)))
    return rows, total


def kinds(cohort_id: int | None) -> list[tuple[str, str]]:
    """The filter's choices: each group once, then the kinds that occur in this log."""
    present = set(db.session.scalars(_scoped(db.select(AuditEntry.kind).distinct(), cohort_id)))
    groups = sorted({kind.split(".", 1)[0] + "." for kind in present})
    ordered = [key for key in KIND_LABELS if key in present or key in groups]
    ordered += sorted(present - set(ordered))
    return [(key, kind_label(key)) for key in ordered]


def people(cohort_id: int | None) -> list[tuple[int, str]]:
    """Everyone who acted in this log, or whose plan it mentions."""
    from app.plans.models import Plan

    actors = _scoped(db.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)), cohort_id)
    plan_ids = _scoped(db.select(AuditEntry.subject_id).where(AuditEntry.subject_type == "plan"), cohort_id)
    students = db.select(Plan.student_id).where(Plan.id.in_(plan_ids))
    rows = db.session.execute(db.select(User.id, User.name, User.email)
                              .where(User.id.in_(actors) | User.id.in_(students))
                              .order_by(User.name, User.id)).all()
    return [(user_id, f"{name} ({email})") for user_id, name, email in rows]


def context_for(rows: list[AuditEntry]) -> dict:
    """Names of the people, plans, assignments and cohorts the entries on this page mention (a few queries)."""
    from app.assignments.models import Assignment
    from app.cohorts.models import Cohort
    from app.plans.models import Plan

    user_ids, plan_ids, assignment_ids, cohort_ids = set(), set(), set(), set()
    for entry in rows:
        data = entry.data or {}
        for key in ("user_id", "reviewer_id", "previous_reviewer_id"):
            if isinstance(data.get(key), int):
                user_ids.add(data[key])
        if entry.subject_type == "plan" and entry.subject_id:
            plan_ids.add(entry.subject_id)
        if entry.subject_type == "assignment" and entry.subject_id:
            assignment_ids.add(entry.subject_id)
        if entry.cohort_id:
            cohort_ids.add(entry.cohort_id)
    plans = {}
    if plan_ids:
        for plan_id, _student_id, name, title in db.session.execute(
                db.select(Plan.id, Plan.student_id, User.name, Assignment.title)
                .join(User, User.id == Plan.student_id).join(Assignment, Assignment.id == Plan.assignment_id)
                .where(Plan.id.in_(plan_ids))):
            plans[plan_id] = (name, title)
    users = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    assignments = dict(db.session.execute(db.select(Assignment.id, Assignment.title)
                                          .where(Assignment.id.in_(assignment_ids))).all()) if assignment_ids else {}
    cohorts = dict(db.session.execute(db.select(Cohort.id, Cohort.name)
                                      .where(Cohort.id.in_(cohort_ids))).all()) if cohort_ids else {}
    return {"plans": plans, "users": users, "assignments": assignments, "cohorts": cohorts}


def describe(entry: AuditEntry, context: dict) -> str:
    """One readable sentence about an entry, from its kind and data."""
    from app.cohorts.services import role_label
    from app.plans.workflow import STATE_LABELS, PlanState

    data = entry.data or {}
    users, plans = context["users"], context["plans"]

    def person(key: str) -> str:
        value = data.get(key)
        return users.get(value, _("account %(id)s", id=value)) if value is not None else _("nobody")

    def state(value) -> str:
        try:
            return str(STATE_LABELS[PlanState(value)])
        except ValueError:
            return str(value)

    def role(value) -> str:
        try:
            return role_label(value)
        except ValueError:
            return str(value)

    if entry.kind.startswith("plan."):
        student, _title = plans.get(entry.subject_id, (_("a deleted plan"), ""))
        if data.get("from") == data.get("to"):
            text = _("Plan by %(student)s", student=student)
        else:
            text = _("Plan by %(student)s: %(from)s → %(to)s", student=student,
                     **{"from": state(data.get("from")), "to": state(data.get("to"))})
        if data.get("version"):
            text += ", " + _("version %(n)s", n=data["version"])
        if entry.kind in ("plan.allocate", "plan.claim") and data.get("reviewer_id"):
            text += ", " + _("reviewer %(name)s", name=person("reviewer_id"))
            if data.get("previous_reviewer_id"):
                text += " " + _("(was %(name)s)", name=person("previous_reviewer_id"))
        if data.get("late"):
            text += ", " + _("late")
        return text
    if entry.kind == "membership.role_changed":
        return _("%(name)s: %(from)s → %(to)s", name=person("user_id"),
                 **{"from": role(data.get("from")), "to": role(data.get("to"))})
    if entry.kind in ("membership.added", "membership.removed"):
        return _("%(name)s as %(role)s", name=person("user_id"), role=role(data.get("role")))
    if entry.kind == "assignment.date_changed":
        from app.assignments.services import to_local

        def when(value):
            try:
                return to_local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except (TypeError, ValueError):
                return str(value)
        return _("%(title)s: %(field)s %(from)s → %(to)s",
                 title=context["assignments"].get(entry.subject_id, ""),
                 field=DATE_FIELDS.get(data.get("field", ""), data.get("field")),
                 **{"from": when(data.get("from")), "to": when(data.get("to"))})
    title = context["assignments"].get(entry.subject_id) or data.get("title") or ""
    if entry.kind == "assignment.updated" and isinstance(data.get("fields"), list):
        return _("%(title)s: %(fields)s", title=title,
                 fields=", ".join(str(FIELD_LABELS.get(name, name)) for name in data["fields"]))
    if entry.kind.startswith("assignment."):
        return title
    if entry.kind == "cohort.enrolled":
        return _("%(new)s new account(s), %(added)s existing account(s) added, %(skipped)s row(s) with errors",
                 new=data.get("new_accounts", 0), added=data.get("added", 0), skipped=data.get("errors", 0))
    if entry.kind == "user.created":
        return data.get("email", "")
    return ", ".join(f"{key}: {value}" for key, value in sorted(data.items()) if not isinstance(value, (dict, list)))
