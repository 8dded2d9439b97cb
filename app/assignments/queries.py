"""Read side of assignments: an assignment with the material its cohort reads."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.cases.models import CaseVersion
from app.db import db


def assignment_with_content(assignment_id: int) -> Assignment | None:
    return db.session.scalar(
        db.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(selectinload(Assignment.cohort), selectinload(Assignment.case_version).selectinload(CaseVersion.documents),
                 selectinload(Assignment.rubric_version))
    )


def assignments_per_version(version_ids: list[int], column) -> dict[int, int]:
    """How many assignments use each version (of a case or a rubric, by `column`)."""
    if not version_ids:
        return {}
    rows = db.session.execute(
        db.select(column, func.count(Assignment.id)).where(column.in_(version_ids)).group_by(column)
    ).all()
    return {version_id: n for version_id, n in rows}
