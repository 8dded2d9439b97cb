from __future__ import annotations

from app.audit.models import AuditEntry
from app.db import db


def record(kind: str, *, actor=None, cohort=None, cohort_id: int | None = None, subject=None, **data) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits). The cohort is given as an object or,
    when only its id is at hand, as `cohort_id`."""
    entry = AuditEntry(
        kind=kind,
        actor_id=getattr(actor, "id", None),
        cohort_id=getattr(cohort, "id", cohort_id),
        subject_type=type(subject).__name__.lower() if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        data=data,
    )
    db.session.add(entry)
    return entry
