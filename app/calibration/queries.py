"""Read side of calibration: the plans of an assignment, who has calibrated, and the ratings for the agreement
figures."""
from __future__ import annotations

from app.assignments.models import Assignment
from app.auth.models import User
from app.calibration.models import (
    CalibrationPlan,
    CalibrationReference,
    CalibrationReview,
    CalibrationScore,
    CalibrationSettings,
)
from app.cohorts.models import Membership, Role
from app.db import db
from app.plans.models import Plan, PlanVersion
from app.reviews.models import Review
from app.rubrics.models import RubricVersion


def calibration_plan(calibration_id: int) -> CalibrationPlan | None:
    return db.session.get(CalibrationPlan, calibration_id)


def plans_of(assignment_id: int) -> list[CalibrationPlan]:
    return list(db.session.scalars(db.select(CalibrationPlan).where(CalibrationPlan.assignment_id == assignment_id)
                                   .order_by(CalibrationPlan.id)))


def settings_of(assignment_id: int) -> CalibrationSettings | None:
    return db.session.get(CalibrationSettings, assignment_id)


def is_required(assignment_id: int) -> bool:
    settings = settings_of(assignment_id)
    return bool(settings and settings.required)


def review_of(calibration_plan_id: int, user_id: int) -> CalibrationReview | None:
    return db.session.scalar(db.select(CalibrationReview).where(
        CalibrationReview.calibration_plan_id == calibration_plan_id, CalibrationReview.reviewer_id == user_id))


def reviews_by(assignment_id: int, user_id: int) -> dict[int, CalibrationReview]:
    """{calibration plan id: the user's calibration review of it}."""
    return {review.calibration_plan_id: review for review in db.session.scalars(
        db.select(CalibrationReview).join(CalibrationPlan)
        .where(CalibrationPlan.assignment_id == assignment_id, CalibrationReview.reviewer_id == user_id))}


def has_calibrated(assignment_id: int, user_id: int) -> bool:
    return db.session.scalar(
        db.select(CalibrationReview.id).join(CalibrationPlan)
        .where(CalibrationPlan.assignment_id == assignment_id, CalibrationReview.reviewer_id == user_id,
               CalibrationReview.submitted_at.is_not(None)).limit(1)) is not None


def has_reviewed(assignment_id: int, user_id: int) -> bool:
    """Has written (started, released) a live review on this assignment before."""
    return db.session.scalar(
        db.select(Review.id).join(Plan, Plan.id == Review.plan_id)
        .where(Plan.assignment_id == assignment_id, Review.reviewer_id == user_id).limit(1)) is not None


def has_plans(assignment_id: int) -> bool:
    return db.session.scalar(db.select(CalibrationPlan.id).where(CalibrationPlan.assignment_id == assignment_id)
                             .limit(1)) is not None


def submitted_reviews(calibration_plan_id: int) -> list[CalibrationReview]:
    return list(db.session.scalars(
        db.select(CalibrationReview).join(User, User.id == CalibrationReview.reviewer_id)
        .where(CalibrationReview.calibration_plan_id == calibration_plan_id,
               CalibrationReview.submitted_at.is_not(None))
        .order_by(User.name, CalibrationReview.id)))


def calibration_ratings(assignment_id: int) -> list[tuple[str, int, str, str]]:
    """(unit, rater id, criterion key, level key) of every submitted calibration review of the assignment: the
    rating source calibration gives the agreement figures. The leaders' references are not ratings."""
    rows = db.session.execute(
        db.select(CalibrationPlan.id, CalibrationReview.reviewer_id, CalibrationScore.criterion_key,
                  CalibrationScore.level_key)
        .join(CalibrationReview, CalibrationReview.calibration_plan_id == CalibrationPlan.id)
        .join(CalibrationScore, CalibrationScore.calibration_review_id == CalibrationReview.id)
        .where(CalibrationPlan.assignment_id == assignment_id, CalibrationReview.submitted_at.is_not(None),
               CalibrationScore.level_key.is_not(None))).all()
    return [(f"calibration:{plan_id}", reviewer_id, criterion, level) for plan_id, reviewer_id, criterion, level in rows]


def reference_levels(assignment_id: int) -> dict[tuple[str, str], str]:
    """{(unit, criterion key): reference level key} of the assignment's calibration plans."""
    rows = db.session.execute(
        db.select(CalibrationPlan.id, CalibrationReference.criterion_key, CalibrationReference.level_key)
        .join(CalibrationReference, CalibrationReference.calibration_plan_id == CalibrationPlan.id)
        .where(CalibrationPlan.assignment_id == assignment_id, CalibrationReference.level_key.is_not(None))).all()
    return {(f"calibration:{plan_id}", criterion): level for plan_id, criterion, level in rows}


def candidate_versions(assignment: Assignment, leader_id: int) -> list:
    """Submitted versions (not withdrawn) a course leader may make a calibration plan of: of plans on the same rubric
    in cohorts they lead (this one, or an earlier cohort's), newest first. Rows: (version, plan, student name,
    assignment title)."""
    rubric_id = db.session.scalar(db.select(RubricVersion.rubric_id).where(
        RubricVersion.id == assignment.rubric_version_id))
    led = db.select(Membership.cohort_id).where(Membership.user_id == leader_id, Membership.role == Role.leader)
    return list(db.session.execute(
        db.select(PlanVersion, Plan, User.name, Assignment.title)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .join(Assignment, Assignment.id == Plan.assignment_id)
        .join(User, User.id == Plan.student_id)
        .join(RubricVersion, RubricVersion.id == Plan.rubric_version_id)
        .where(Assignment.cohort_id.in_(led), RubricVersion.rubric_id == rubric_id,
               PlanVersion.withdrawn_at.is_(None))
        .order_by(PlanVersion.submitted_at.desc(), PlanVersion.id.desc()).limit(200)).all())
