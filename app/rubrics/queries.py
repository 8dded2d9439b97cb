"""The read side of rubrics in the library: what exists, in which versions, and which versions assignments use."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.assignments.queries import assignments_per_version
from app.db import db
from app.reading import LibraryEntry, library_entries
from app.rubrics.models import Rubric, RubricVersion


def library_rubrics() -> list[LibraryEntry]:
    return library_entries(Rubric, RubricVersion, RubricVersion.rubric_id)


def rubric_by_slug(slug: str) -> Rubric | None:
    return db.session.scalar(db.select(Rubric).where(Rubric.slug == slug).options(selectinload(Rubric.versions)))


def rubric_version(slug: str, number: int) -> RubricVersion | None:
    return db.session.scalar(
        db.select(RubricVersion)
        .join(Rubric, Rubric.id == RubricVersion.rubric_id)
        .where(Rubric.slug == slug, RubricVersion.number == number)
    )


def rubric_versions_in_use(versions: list[RubricVersion]) -> dict[int, int]:
    """How many assignments use each version: a course leader wants to know before changing a rubric."""
    return assignments_per_version([v.id for v in versions], Assignment.rubric_version_id)
