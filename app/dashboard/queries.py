"""Read side of the progress dashboard: a fixed handful of queries per assignment, whatever the cohort's size.

Each function returns plain rows; the numbers are worked out in `app.dashboard.services`."""
from __future__ import annotations

from sqlalchemy.orm import aliased

from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db
from app.plans.models import Plan, PlanVersion
from app.reviews.models import CriterionScore, Review


def student_members(cohort_id: int) -> list:
    """(id, name, email) of everyone who is a student of the cohort now."""
    return db.session.execute(
        db.select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.student)
    ).all()


def instructors(cohort_id: int) -> list:
    """(id, name) of the cohort's instructors."""
    return db.session.execute(
        db.select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.instructor)
    ).all()


def plans(assignment) -> list:
    """Every plan of the assignment with its student, reviewer and the student's role in the cohort today
    (None when they are no longer a member)."""
    student, reviewer = aliased(User), aliased(User)
    return db.session.execute(
        db.select(Plan.id, Plan.student_id, Plan.state, Plan.reviewer_id, Plan.updated_at, Plan.draft_saved_at,
                  student.name.label("student_name"), student.email.label("student_email"),
                  reviewer.name.label("reviewer_name"), Membership.role.label("role"))
        .join(student, student.id == Plan.student_id)
        .outerjoin(reviewer, reviewer.id == Plan.reviewer_id)
        .outerjoin(Membership, (Membership.user_id == Plan.student_id)
                   & (Membership.cohort_id == assignment.cohort_id))
        .where(Plan.assignment_id == assignment.id)
    ).all()


def versions(assignment) -> list:
    """Every frozen version of the assignment's plans, without their content."""
    return db.session.execute(
        db.select(PlanVersion.plan_id, PlanVersion.number, PlanVersion.submitted_at, PlanVersion.late,
                  PlanVersion.withdrawn_at)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .where(Plan.assignment_id == assignment.id)
        .order_by(PlanVersion.plan_id, PlanVersion.number)
    ).all()


def reviews(assignment) -> list:
    """Every review of the assignment's plans, with the submission time of the version it is written on."""
    reviewer = aliased(User)
    return db.session.execute(
        db.select(Review.id, Review.plan_id, Review.reviewer_id, Review.released_at, PlanVersion.number,
                  PlanVersion.submitted_at, reviewer.name.label("reviewer_name"))
        .join(PlanVersion, PlanVersion.id == Review.plan_version_id)
        .join(Plan, Plan.id == Review.plan_id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .where(Plan.assignment_id == assignment.id)
    ).all()


def released_scores(assignment) -> list:
    """(review id, criterion, level) of every released review of the assignment."""
    return db.session.execute(
        db.select(CriterionScore.review_id, CriterionScore.criterion_key, CriterionScore.level_key)
        .join(Review, Review.id == CriterionScore.review_id)
        .join(Plan, Plan.id == Review.plan_id)
        .where(Plan.assignment_id == assignment.id, Review.released_at.is_not(None))
    ).all()


def first_and_latest_hints(assignment) -> list:
    """(plan id, number, word count, hints) of each plan's first and latest version that was not withdrawn.

    Only these two versions per plan are read, so the size of the hints does not grow with revisions."""
    kept = (db.select(PlanVersion.plan_id, db.func.min(PlanVersion.number).label("first"),
                      db.func.max(PlanVersion.number).label("latest"))
            .join(Plan, Plan.id == PlanVersion.plan_id)
            .where(Plan.assignment_id == assignment.id, PlanVersion.withdrawn_at.is_(None))
            .group_by(PlanVersion.plan_id).subquery())
    return db.session.execute(
        db.select(PlanVersion.plan_id, PlanVersion.number, PlanVersion.word_count, PlanVersion.hints)
        .join(kept, (kept.c.plan_id == PlanVersion.plan_id)
              & ((PlanVersion.number == kept.c.first) | (PlanVersion.number == kept.c.latest)))
    ).all()
