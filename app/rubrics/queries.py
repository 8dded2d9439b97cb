"""The read side of rubrics in the library: what exists, in which versions, and which versions assignments use."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.assignments.queries import assignments_per_version
from app.db import db
from app.memo import MB, SizedStore
from app.reading import LibraryEntry, library_entries
from app.rubrics.models import KEPT_COLUMNS, KeptRubric, Rubric, RubricVersion

# The rubric versions pages read, kept per worker: a handful are in use at a time, some 20 KB each.
_KEPT_RUBRICS = SizedStore(2 * MB)


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


def rubric_for_reading(version_id: int, fingerprint: str) -> KeptRubric:
    """A rubric version as the review page reads it: unchangeable plain data, kept by its id and fingerprint and
    read from the database only the first time (a version's criteria are never changed once imported; were a
    version replaced, its new fingerprint would be read afresh)."""
    def read() -> KeptRubric:
        return KeptRubric.of(db.session.execute(db.select(*(getattr(RubricVersion, name) for name in KEPT_COLUMNS))
                                                .where(RubricVersion.id == version_id)).mappings().one())

    return _KEPT_RUBRICS.get_or_make((version_id, fingerprint), read)
