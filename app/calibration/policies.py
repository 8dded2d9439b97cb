"""Who may do what with calibration. Views and templates ask these same functions.

Course leaders of the assignment's cohort mark calibration plans, write their references and decide whether
calibration comes first; instructors and course leaders of the cohort calibrate. Students never see any of it."""
from __future__ import annotations

from app.cohorts.models import Role
from app.cohorts.policies import role_in

CALIBRATORS = frozenset({Role.instructor, Role.leader})


def can_manage_calibration(user, assignment) -> bool:
    return role_in(user, assignment.cohort_id) == Role.leader


def can_calibrate(user, assignment) -> bool:
    return role_in(user, assignment.cohort_id) in CALIBRATORS


def can_see_comparison(user, review) -> bool:
    """The others' levels and the reference show once one's own calibration review is submitted (not before: they
    would lead the eye)."""
    return review is not None and review.is_submitted and review.reviewer_id == getattr(user, "id", None)


def can_edit_review(user, review) -> bool:
    return review is None or (not review.is_submitted and review.reviewer_id == getattr(user, "id", None))
