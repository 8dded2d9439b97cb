"""The read side of the case library: what exists, in which versions and languages."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.assignments.queries import assignments_per_version
from app.cases.models import Case, CaseVersion
from app.cohorts.models import Membership, Role
from app.db import db
from app.reading import LibraryEntry, library_entries


def library_cases() -> list[LibraryEntry]:
    return library_entries(Case, CaseVersion, CaseVersion.case_id)


def case_by_slug(slug: str) -> Case | None:
    return db.session.scalar(db.select(Case).where(Case.slug == slug).options(selectinload(Case.versions)))


def case_version(slug: str, number: int) -> CaseVersion | None:
    return db.session.scalar(
        db.select(CaseVersion)
        .join(Case, Case.id == CaseVersion.case_id)
        .where(Case.slug == slug, CaseVersion.number == number)
        .options(selectinload(CaseVersion.documents))
    )


def case_versions_in_use(versions: list[CaseVersion]) -> dict[int, int]:
    """How many assignments use each version: a course leader wants to know before changing a case."""
    return assignments_per_version([v.id for v in versions], Assignment.case_version_id)


def roles_where_case_is_used(user_id: int, case_id: int) -> set[Role]:
    """The roles a person holds in the cohorts that have an assignment on any version of this case."""
    return set(db.session.scalars(
        db.select(Membership.role).distinct()
        .join(Assignment, Assignment.cohort_id == Membership.cohort_id)
        .join(CaseVersion, CaseVersion.id == Assignment.case_version_id)
        .where(Membership.user_id == user_id, CaseVersion.case_id == case_id)))
