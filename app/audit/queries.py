"""Read side of the audit log: filtered, paginated entries, newest first, and a readable line for each."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import joinedload

from app.audit import events
from app.audit.models import AuditEntry
from app.auth.models import User
from app.cohorts.models import Cohort
from app.db import db

PER_PAGE = 50
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1
NUMBER = re.compile(r"[0-9]{1,12}")
KIND = re.compile(r"[a-z_]{1,20}\.[a-z_]{0,27}")

def kind_label(kind: str) -> str:
    return str(events.kind_labels().get(kind, kind))


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
                   kind=kind if kind in events.kind_labels() or KIND.fullmatch(kind) else None,
                   page=min(int(page), MAX_PAGE) if NUMBER.fullmatch(page) and int(page) > 0 else 1)

    def as_args(self, **changes) -> dict:
        values = {"person": self.person, "kind": self.kind, "page": self.page if self.page > 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


def _scoped(query, cohort_id: int | None):
    return query.where(AuditEntry.cohort_id == cohort_id) if cohort_id is not None else query


def _owned_by(person_id: int):
    """Entries about subjects that belong to the person (their plan), by the kinds of subject domains described."""
    conditions = []
    for subject_type, subject in events.SUBJECTS.items():
        if subject.owners is not None:
            owned = subject.owners().subquery()
            theirs = db.select(owned.c[0]).where(owned.c[1] == person_id)
            conditions.append((AuditEntry.subject_type == subject_type) & AuditEntry.subject_id.in_(theirs))
    return conditions


def _about_person(person_id: int):
    """Entries by the person, or about something of theirs."""
    return db.or_(AuditEntry.actor_id == person_id, *_owned_by(person_id))


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
    ordered = [key for key in events.kind_labels() if key in present or key in groups]
    ordered += sorted(present - set(ordered))
    return [(key, kind_label(key)) for key in ordered]


def people(cohort_id: int | None) -> list[tuple[int, str]]:
    """Everyone who acted in this log, or whose plan (or other subject of theirs) it mentions."""
    actors = _scoped(db.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)), cohort_id)
    wanted: ColumnElement[bool] = User.id.in_(actors)
    for subject_type, subject in events.SUBJECTS.items():
        if subject.owners is not None:
            owned = subject.owners().subquery()
            mentioned = _scoped(db.select(AuditEntry.subject_id).where(AuditEntry.subject_type == subject_type),
                                cohort_id)
            wanted = wanted | User.id.in_(db.select(owned.c[1]).where(owned.c[0].in_(mentioned)))
    rows = db.session.execute(db.select(User.id, User.name, User.email).where(wanted)
                              .order_by(User.name, User.id)).all()
    return [(user_id, f"{name} ({email})") for user_id, name, email in rows]


def context_for(rows: list[AuditEntry]) -> events.Context:
    """Names of the people, subjects and cohorts the entries on this page mention (a few queries)."""
    user_ids: set[int] = set()
    cohort_ids: set[int] = set()
    subject_ids: dict[str, set[int]] = {}
    for entry in rows:
        data = entry.data or {}
        user_ids.update(data[key] for key in events.PERSON_KEYS if isinstance(data.get(key), int))
        if entry.subject_type in events.SUBJECTS and entry.subject_id:
            subject_ids.setdefault(entry.subject_type, set()).add(entry.subject_id)
        if entry.cohort_id:
            cohort_ids.add(entry.cohort_id)
    users = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    cohorts = dict(db.session.execute(db.select(Cohort.id, Cohort.name)
                                      .where(Cohort.id.in_(cohort_ids))).all()) if cohort_ids else {}
    subjects = {subject_type: events.SUBJECTS[subject_type].names(ids) for subject_type, ids in subject_ids.items()}
    return events.Context(users=users, cohorts=cohorts, subjects=subjects)


def describe(entry: AuditEntry, context: events.Context) -> str:
    return events.describe(entry, context)
