"""Assignments' events in the audit log: their names for the filter and how each reads."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.assignments.models import Assignment
from app.audit.events import Context, describe_events, describe_subject
from app.db import db
from app.i18n import format_moment

DATE_FIELDS = {"opens_at": _l("opening date"), "due_at": _l("due date"), "review_due_at": _l("review due date")}
FIELD_LABELS = {**DATE_FIELDS, "title": _l("title"), "instructions": _l("instructions"), "case_version_id": _l("case"),
                "rubric_version_id": _l("rubric"), "allow_late": _l("late submissions"),
                "second_opinion_resolver": _l("who decides a second opinion")}


def _when(value) -> str:
    try:
        return format_moment(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _describe(entry, context: Context) -> str:
    data = entry.data or {}
    title = context.subject(entry) or data.get("title") or ""
    if entry.kind == "assignment.date_changed":
        return _("%(title)s: %(field)s %(from)s → %(to)s", title=context.subject(entry) or "",
                 field=DATE_FIELDS.get(str(data.get("field", "")), data.get("field")),
                 **{"from": _when(data.get("from")), "to": _when(data.get("to"))})
    if entry.kind == "assignment.updated" and isinstance(data.get("fields"), list):
        return _("%(title)s: %(fields)s", title=title,
                 fields=", ".join(str(FIELD_LABELS.get(name, name)) for name in data["fields"]))
    return title


def _titles(assignment_ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(db.select(Assignment.id, Assignment.title)
                                   .where(Assignment.id.in_(assignment_ids))).all())


describe_events("assignment.", _l("All assignment changes"), {
    "assignment.created": _l("Assignment created"),
    "assignment.updated": _l("Assignment edited"),
    "assignment.date_changed": _l("Assignment date changed"),
    "assignment.closed": _l("Assignment closed"),
    "assignment.reopened": _l("Assignment reopened"),
}, _describe)
describe_subject("assignment", _titles)
