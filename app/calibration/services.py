"""Calibration's use cases: marking calibration plans, the references, calibration reviews, the comparison a
reviewer sees after submitting, and whether calibration must come first. Services flush; callers commit."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.calibration import policies, queries
from app.calibration.models import (
    CalibrationPlan,
    CalibrationReference,
    CalibrationReview,
    CalibrationScore,
    CalibrationSettings,
)
from app.cases.models import localized
from app.db import db, utcnow
from app.errors import Conflict, NotPermitted, ValidationError
from app.plans.content import ContentProblem, empty_content, normalise
from app.plans.models import PlanVersion

MAX_TITLE = 160
MAX_COMMENT = 5000


class CalibrationProblem(ValidationError):
    """What the reviewer sent cannot be kept as it is: the page shows it again, with everything typed, and these
    messages per criterion."""

    def __init__(self, message: str, problems: dict[str, str]):
        super().__init__(message)
        self.problems = problems


# --- settings and the gate before the first live review ----------------------------------------------------

def set_required(assignment, actor, required: bool) -> CalibrationSettings:
    if not policies.can_manage_calibration(actor, assignment):
        raise NotPermitted(_("Only a course leader of this cohort decides whether calibration comes first."))
    settings = queries.settings_of(assignment.id)
    if settings is None:
        settings = CalibrationSettings(assignment_id=assignment.id)
        db.session.add(settings)
    settings.required, settings.updated_at = bool(required), utcnow()
    db.session.flush()
    return settings


def owes_calibration(user, assignment) -> bool:
    """Whether `user` must first submit a calibration review on this assignment: it requires one, it has a
    calibration plan to review, and they have neither submitted a calibration review nor written a live review on
    it before (the rule is for a reviewer's first review, not for one already reviewing)."""
    user_id = getattr(user, "id", None)
    if user_id is None or not queries.is_required(assignment.id) or not queries.has_plans(assignment.id):
        return False
    return not queries.has_calibrated(assignment.id, user_id) and not queries.has_reviewed(assignment.id, user_id)


# --- calibration plans and their references ------------------------------------------------------------------

def _title(title: str | None) -> str:
    text = (title or "").strip()
    if not text:
        raise ValidationError(_("Give the calibration plan a title, e.g. \"Calibration plan 1\"."))
    if len(text) > MAX_TITLE:
        raise ValidationError(_("The title can be at most %(n)d characters.", n=MAX_TITLE))
    return text


def mark_version(assignment, actor, version: PlanVersion | None, *, title: str | None,
                 consent: bool) -> CalibrationPlan:
    """Make a calibration plan of a submitted version: its text is copied, so what the reviewers read stays as it
    was. Only from a version the leader may use (one of `queries.candidate_versions`), and only when they confirm the
    student consented to its use for calibration."""
    if not policies.can_manage_calibration(actor, assignment):
        raise NotPermitted(_("Only a course leader of this cohort marks calibration plans."))
    allowed = {row[0].id for row in queries.candidate_versions(assignment, actor.id)}
    if version is None or version.id not in allowed:
        raise ValidationError(_("Choose a submitted plan version from the list."))
    if not consent:
        raise ValidationError(_("Confirm that the student agreed to their plan being used for calibration."))
    calibration = CalibrationPlan(
        assignment_id=assignment.id, title=_title(title), source_version_id=version.id, consent_confirmed=True,
        content=copy.deepcopy(version.content), language=version.language or "en",
        rubric_version_id=version.plan.rubric_version_id, created_by_id=actor.id)
    db.session.add(calibration)
    db.session.flush()
    return calibration


def write_plan(assignment, actor, *, title: str | None, sections: dict, language: str) -> CalibrationPlan:
    """A calibration plan the course leader writes for the purpose (its text sections; no student involved)."""
    if not policies.can_manage_calibration(actor, assignment):
        raise NotPermitted(_("Only a course leader of this cohort marks calibration plans."))
    content = empty_content()
    content["sections"].update({key: value for key, value in sections.items() if key in content["sections"]})
    try:
        content = normalise(content)
    except ContentProblem as problem:
        raise ValidationError(_("A part of the plan is too long: %(reason)s.", reason=str(problem))) from None
    if not any(text.strip() for text in content["sections"].values()):
        raise ValidationError(_("Write at least one part of the plan."))
    calibration = CalibrationPlan(
        assignment_id=assignment.id, title=_title(title), source_version_id=None, consent_confirmed=False,
        content=content, language=language if language in ("en", "nb") else "en",
        rubric_version_id=assignment.rubric_version_id, created_by_id=actor.id)
    db.session.add(calibration)
    db.session.flush()
    return calibration


def _checked_levels(calibration: CalibrationPlan, levels: dict, comments: dict) -> dict[str, tuple]:
    rubric = calibration.rubric_version
    known = set(rubric.level_keys())
    found = {}
    for criterion in rubric.criterion_keys():
        level = (levels.get(criterion) or "").strip() or None
        if level is not None and level not in known:
            raise ValidationError(_("Choose one of the rubric's levels."))
        comment = (comments.get(criterion) or "").strip()
        if len(comment) > MAX_COMMENT:
            raise ValidationError(_("A comment can be at most %(n)d characters.", n=MAX_COMMENT))
        found[criterion] = (level, comment)
    return found


def save_reference(calibration: CalibrationPlan, actor, *, levels: dict, comments: dict) -> None:
    """The course leader's reference level and model comment per criterion (they may change it later)."""
    if not policies.can_manage_calibration(actor, calibration.assignment):
        raise NotPermitted(_("Only a course leader of this cohort writes the reference."))
    for criterion, (level, comment) in _checked_levels(calibration, levels, comments).items():
        reference = calibration.reference_for(criterion)
        if reference is None:
            reference = CalibrationReference(criterion_key=criterion)
            calibration.references.append(reference)
        reference.level_key, reference.comment = level, comment
    db.session.flush()


def delete_plan(calibration: CalibrationPlan, actor) -> None:
    if not policies.can_manage_calibration(actor, calibration.assignment):
        raise NotPermitted(_("Only a course leader of this cohort removes calibration plans."))
    db.session.delete(calibration)
    db.session.flush()


# --- calibration reviews ---------------------------------------------------------------------------------------

def save_calibration(calibration: CalibrationPlan, actor, *, levels: dict, comments: dict,
                     submit: bool = False) -> CalibrationReview:
    """Save the reviewer's levels and comments; `submit` also fixes them, once every criterion has a level."""
    if not policies.can_calibrate(actor, calibration.assignment):
        raise NotPermitted(_("Only instructors and course leaders of this cohort calibrate."))
    review = queries.review_of(calibration.id, actor.id)
    if review is not None and review.is_submitted:
        raise Conflict(_("Your calibration review of this plan is submitted and can no longer be changed."))
    checked = _checked_levels(calibration, levels, comments)
    if submit:
        missing = {criterion: _("Choose a level.") for criterion, (level, _c) in checked.items() if level is None}
        if missing:
            raise CalibrationProblem(_("Choose a level for every criterion before you submit. Nothing you wrote "
                                       "is lost."), missing)
    if review is None:
        review = CalibrationReview(calibration_plan_id=calibration.id, reviewer_id=actor.id)
        db.session.add(review)
    for criterion, (level, comment) in checked.items():
        score = review.score_for(criterion)
        if score is None:
            score = CalibrationScore(criterion_key=criterion)
            review.scores.append(score)
        score.level_key, score.comment = level, comment
    review.updated_at = utcnow()
    if submit:
        review.submitted_at = review.updated_at
    db.session.flush()
    return review


@dataclass
class CriterionComparison:
    key: str
    title: str
    reference_level: str | None
    reference_comment: str
    mine: str | None
    my_comment: str
    others: list = field(default_factory=list)  # [(name, level title or None)]


def comparison(calibration: CalibrationPlan, user, locale: str) -> list[CriterionComparison]:
    """Per criterion: the reference and its model comment, the user's own level and those of the other reviewers
    who submitted (levels as their titles in `locale`)."""
    rubric = calibration.rubric_version
    reviews = queries.submitted_reviews(calibration.id)
    mine = next((r for r in reviews if r.reviewer_id == user.id), None)

    def title(level):
        return rubric.level_title(level, locale) if level else None

    rows = []
    for criterion in rubric.criteria:
        key = criterion["key"]
        reference = calibration.reference_for(key)
        own = mine.score_for(key) if mine else None
        others = []
        for review in reviews:
            if review is mine:
                continue
            score = review.score_for(key)
            others.append((review.reviewer.name, title(score.level_key if score else None)))
        rows.append(CriterionComparison(
            key=key, title=localized(criterion["title"], locale),
            reference_level=title(reference.level_key if reference else None),
            reference_comment=reference.comment if reference else "",
            mine=title(own.level_key if own else None), my_comment=own.comment if own else "", others=others))
    return rows


def has_reference(calibration: CalibrationPlan) -> bool:
    return any(reference.level_key for reference in calibration.references)


def demo_calibration(assignment, leader, version: PlanVersion, title: str, reference: dict,
                     reviews: dict) -> CalibrationPlan:
    """The demo's calibration plan: reference {criterion: (level, comment)}, reviews {user: {criterion: level}}."""
    calibration = mark_version(assignment, leader, version, title=title, consent=True)
    save_reference(calibration, leader, levels={k: v[0] for k, v in reference.items()},
                   comments={k: v[1] for k, v in reference.items()})
    for user, levels in reviews.items():
        save_calibration(calibration, user, levels=levels, comments={}, submit=True)
    return calibration
