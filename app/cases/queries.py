"""The read side of the case library: what exists, in which versions and languages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.cases.models import Case, CaseVersion
from app.db import db
from app.rubrics.models import Rubric, RubricVersion


@dataclass(frozen=True)
class LibraryEntry:
    """One case or rubric as the library lists it: its latest version and how many there are."""

    slug: str
    latest: CaseVersion | RubricVersion
    version_count: int

    @property
    def languages(self) -> list[str]:
        return list(self.latest.languages)

    @property
    def imported_at(self) -> datetime:
        return self.latest.created_at


def _entries(parent, version_model, parent_key):
    counts = (
        db.select(parent_key.label("parent_id"), func.count().label("n"), func.max(version_model.number).label("latest"))
        .group_by(parent_key)
        .subquery()
    )
    rows = db.session.execute(
        db.select(parent.slug, version_model, counts.c.n)
        .join(counts, counts.c.parent_id == parent.id)
        .join(version_model, (parent_key == parent.id) & (version_model.number == counts.c.latest))
        .order_by(parent.slug)
    ).all()
    return [LibraryEntry(slug, latest, n) for slug, latest, n in rows]


def library_cases() -> list[LibraryEntry]:
    return _entries(Case, CaseVersion, CaseVersion.case_id)


def library_rubrics() -> list[LibraryEntry]:
    return _entries(Rubric, RubricVersion, RubricVersion.rubric_id)


def case_by_slug(slug: str) -> Case | None:
    return db.session.scalar(db.select(Case).where(Case.slug == slug).options(selectinload(Case.versions)))


def case_version(slug: str, number: int) -> CaseVersion | None:
    return db.session.scalar(
        db.select(CaseVersion)
        .join(Case, Case.id == CaseVersion.case_id)
        .where(Case.slug == slug, CaseVersion.number == number)
        .options(selectinload(CaseVersion.documents))
    )


def rubric_by_slug(slug: str) -> Rubric | None:
    return db.session.scalar(db.select(Rubric).where(Rubric.slug == slug).options(selectinload(Rubric.versions)))


def rubric_version(slug: str, number: int) -> RubricVersion | None:
    return db.session.scalar(
        db.select(RubricVersion)
        .join(Rubric, Rubric.id == RubricVersion.rubric_id)
        .where(Rubric.slug == slug, RubricVersion.number == number)
    )


def assignment_with_content(assignment_id: int) -> Assignment | None:
    return db.session.scalar(
        db.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(selectinload(Assignment.cohort), selectinload(Assignment.case_version).selectinload(CaseVersion.documents),
                 selectinload(Assignment.rubric_version))
    )


def _assignment_counts(version_ids: list[int], column) -> dict[int, int]:
    if not version_ids:
        return {}
    rows = db.session.execute(
        db.select(column, func.count(Assignment.id)).where(column.in_(version_ids)).group_by(column)
    ).all()
    return {version_id: n for version_id, n in rows}


def case_versions_in_use(versions: list[CaseVersion]) -> dict[int, int]:
    """How many assignments use each version: a course leader wants to know before changing a case."""
    return _assignment_counts([v.id for v in versions], Assignment.case_version_id)


def rubric_versions_in_use(versions: list[RubricVersion]) -> dict[int, int]:
    return _assignment_counts([v.id for v in versions], Assignment.rubric_version_id)
