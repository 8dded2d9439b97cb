"""A second opinion (moderation): a second instructor scores a version in review on their own, before its feedback
is released; where the two differ, the decider picks per criterion the level to release. Both sets of levels and
comments, and the first reviewer's levels as they stood, are kept; the review's levels become the decision.

The steps and who may take them are in `app.plans.workflow` (`SecondOpinionAction`); these services check what
was sent, keep the scores and call it. Services flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db, utcnow
from app.errors import Conflict, NotFound, NotPermitted, ValidationError
from app.plans import services as plan_services
from app.plans import workflow
from app.plans.models import Plan, PlanVersion
from app.plans.states import DISAGREEMENT_LEVELS, SECOND_OPINION_OPEN, PlanState, SecondOpinionState
from app.plans.workflow import SecondOpinionAction
from app.reviews.models import CriterionScore, Review, SecondOpinion, SecondOpinionScore

MAX_REASON = 2000
MAX_COMMENT = 5000
OPEN_VALUES = sorted(state.value for state in SECOND_OPINION_OPEN)


# --- reading ---------------------------------------------------------------------------------------------

def open_second_opinion(version: PlanVersion | None) -> SecondOpinion | None:
    """The second opinion requested or scored on this version, waiting for its decision (at most one)."""
    if version is None:
        return None
    return db.session.scalar(db.select(SecondOpinion).where(SecondOpinion.plan_version_id == version.id,
                                                            SecondOpinion.state.in_(OPEN_VALUES))
                             .order_by(SecondOpinion.id.desc()).limit(1))


def waiting_for_the_decision() -> str:
    """Why the feedback on a version cannot be released while its second opinion is open."""
    return _("A second opinion on this version waits for its decision: the feedback can be released once it is "
             "decided or cancelled. Nothing was changed.")


def latest_second_opinion(version: PlanVersion | None) -> SecondOpinion | None:
    """The newest second opinion on this version that was not cancelled: the open one, else the last resolved."""
    if version is None:
        return None
    return db.session.scalar(db.select(SecondOpinion).where(SecondOpinion.plan_version_id == version.id,
                                                            SecondOpinion.state != SecondOpinionState.cancelled.value)
                             .order_by(SecondOpinion.id.desc()).limit(1))


def was_moderated(review: Review) -> bool:
    """Whether the released levels of this review were decided after a second instructor also scored it."""
    return db.session.scalar(db.select(db.exists().where(
        SecondOpinion.review_id == review.id, SecondOpinion.state == SecondOpinionState.resolved.value))) or False


def decided_levels(version: PlanVersion) -> dict[str, str | None]:
    """The levels decided on this version after a second opinion, by criterion (empty when none was decided): the
    review keeps them, its reviewer cannot change them afterwards."""
    opinion = db.session.scalar(db.select(SecondOpinion).where(
        SecondOpinion.plan_version_id == version.id, SecondOpinion.state == SecondOpinionState.resolved.value)
        .order_by(SecondOpinion.id.desc()).limit(1))
    return {s.criterion_key: s.decided_level_key for s in opinion.scores} if opinion is not None else {}


def eligible_raters(plan: Plan) -> list[User]:
    """Who may be asked: the cohort's instructors and course leaders, except the plan's author and its reviewer."""
    excluded = {plan.student_id, plan.reviewer_id}
    return [user for user in db.session.scalars(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == plan.assignment.cohort_id,
               Membership.role.in_([Role.instructor, Role.leader])).order_by(User.name))
        if user.id not in excluded]


def deciders(plan: Plan) -> list[User]:
    """Who decides a second opinion on this plan, as its assignment says."""
    if plan.assignment.second_opinion_resolver == workflow.RESOLVED_BY_REVIEWER:
        return [plan.reviewer] if plan.reviewer is not None else []
    from_cohort = db.session.scalars(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == plan.assignment.cohort_id, Membership.role == Role.leader).order_by(User.id))
    return [user for user in from_cohort if user.id != plan.student_id]


def _level_index(rubric) -> dict[str, int]:
    return {key: n for n, key in enumerate(rubric.level_keys())}


def disagreements(opinion: SecondOpinion, rubric) -> list[str]:
    """The criteria (keys, in the rubric's order) where the first reviewer's levels as they stood and the second
    instructor's differ by `DISAGREEMENT_LEVELS` levels or more."""
    order = _level_index(rubric)
    far = set()
    for score in opinion.scores:
        first, second = order.get(score.first_level_key or ""), order.get(score.level_key or "")
        if first is not None and second is not None and abs(first - second) >= DISAGREEMENT_LEVELS:
            far.add(score.criterion_key)
    return [key for key in rubric.criterion_keys() if key in far]


@dataclass(frozen=True)
class Flag:
    """A plan whose second opinion differs from its first review by two levels or more, waiting for a decision."""

    plan_id: int
    criteria: list[str]  # criterion keys


def scored_plan_ids(assignment_id: int):
    """A select of the plans of an assignment with a second opinion scored and waiting for its decision."""
    return (db.select(SecondOpinion.plan_id).join(Plan, Plan.id == SecondOpinion.plan_id)
            .where(Plan.assignment_id == assignment_id, SecondOpinion.state == SecondOpinionState.scored.value))


def flags_for(plans: list[Plan]) -> dict[int, Flag]:
    """For each plan given whose version in review has a scored second opinion far from the first review: which
    criteria. Resolved or cancelled ones are no longer flagged."""
    ids = [plan.id for plan in plans]
    if not ids:
        return {}
    by_id = {plan.id: plan for plan in plans}
    opinions = db.session.scalars(db.select(SecondOpinion).where(
        SecondOpinion.plan_id.in_(ids), SecondOpinion.state == SecondOpinionState.scored.value))
    flags = {}
    for opinion in opinions:
        far = disagreements(opinion, by_id[opinion.plan_id].rubric_version)
        if far:
            flags[opinion.plan_id] = Flag(opinion.plan_id, far)
    return flags


# --- the steps -------------------------------------------------------------------------------------------

def _version_in_review(plan: Plan) -> PlanVersion:
    version = plan.current_version
    if version is None or plan.state != PlanState.in_review:
        raise Conflict(_("A second opinion is asked for while the plan is in review, before its feedback is "
                         "released."))
    return version


def request(plan: Plan, actor, rater: User | None, reason: str) -> SecondOpinion:
    """The plan's reviewer or a course leader asks a second instructor to score the version in review."""
    plan_services.lock(plan)
    if not workflow.can_second_opinion(plan, None, SecondOpinionAction.request, actor):
        # refused in the workflow's own words (who may, or why not now)
        workflow.apply_second_opinion(plan, SecondOpinion(), SecondOpinionAction.request, actor)
    version = _version_in_review(plan)
    if open_second_opinion(version) is not None:
        raise Conflict(_("A second opinion on this version is already asked for. Cancel it first to ask someone "
                         "else."))
    if rater is None:
        raise ValidationError(_("Choose who gives the second opinion."))
    if rater.id == plan.student_id:
        raise NotPermitted(_("Nobody reviews their own plan: its author cannot give a second opinion on it."))
    if rater.id == plan.reviewer_id:
        raise ValidationError(_("The second opinion comes from someone other than the plan's reviewer."))
    if rater.id not in {user.id for user in eligible_raters(plan)}:
        raise ValidationError(_("%(name)s is not an instructor or course leader in this cohort.", name=rater.name))
    reason = (reason or "").replace("\r\n", "\n").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Say why in at most %(n)d characters.", n=MAX_REASON))
    review = db.session.scalar(db.select(Review).where(Review.plan_version_id == version.id))
    if review is None:  # asked before the reviewer saved anything: the review the decision will go into
        review = Review(plan_id=plan.id, plan_version_id=version.id, reviewer_id=plan.reviewer_id, save_token=0)
        db.session.add(review)
        db.session.flush()
    opinion = SecondOpinion(plan_id=plan.id, plan_version_id=version.id, review_id=review.id,
                            requested_by_id=actor.id, rater_id=rater.id, first_rater_id=plan.reviewer_id,
                            reason=reason, requested_at=utcnow())
    workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.request, actor, version=version.number)
    return opinion


def _may_score(plan: Plan, opinion: SecondOpinion, actor) -> None:
    """Only the second instructor, while the opinion waits for their scoring (the workflow's `submit` rule)."""
    if not workflow.can_second_opinion(plan, opinion, SecondOpinionAction.submit, actor):
        workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.submit, actor)  # raises, saying why


def _checked_scores(plan: Plan, scores: dict) -> list[str]:
    """Each level given is one of the rubric's and each comment fits; answers the criteria without a level."""
    rubric = plan.rubric_version
    levels = set(rubric.level_keys())
    missing = []
    for key in rubric.criterion_keys():
        given = scores.get(key) or {}
        level = (given.get("level") or "").strip()
        if not level:
            missing.append(key)
        elif level not in levels:
            raise ValidationError(_("Unknown level for %(criterion)s.", criterion=key))
        if len((given.get("comment") or "").strip()) > MAX_COMMENT:
            raise ValidationError(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT))
    return missing


def save_draft(plan: Plan, opinion: SecondOpinion, actor, scores: dict) -> SecondOpinion:
    """The second instructor's levels and comments as far as they have got, kept for them alone (nobody else's
    page reads a draft) until they submit: no level is required yet."""
    plan_services.lock(plan)
    _may_score(plan, opinion, actor)
    _checked_scores(plan, scores)
    draft = {}
    for key in plan.rubric_version.criterion_keys():
        given = scores.get(key) or {}
        level, comment = (given.get("level") or "").strip(), (given.get("comment") or "").strip()
        if level or comment:
            draft[key] = {"level": level, "comment": comment}
    opinion.draft = draft or None
    opinion.draft_saved_at = utcnow()
    return opinion


def submit(plan: Plan, opinion: SecondOpinion, actor, scores: dict) -> SecondOpinion:
    """The second instructor's levels and comments: a level for every criterion (a comment where they wish). The
    first reviewer's levels as they stand now are kept beside them."""
    plan_services.lock(plan)
    _may_score(plan, opinion, actor)
    rubric = plan.rubric_version
    missing = _checked_scores(plan, scores)
    if missing:
        raise ValidationError(_("Choose a level for every criterion: %(n)d are missing.", n=len(missing)))
    review = opinion.review
    db.session.refresh(review)
    for key in rubric.criterion_keys():
        given = scores[key]
        first = review.score_for(key)
        opinion.scores.append(SecondOpinionScore(
            criterion_key=key, level_key=given["level"].strip(), comment=(given.get("comment") or "").strip(),
            first_level_key=first.level_key if first is not None else None))
    opinion.submitted_at = utcnow()
    opinion.draft, opinion.draft_saved_at = None, None  # the draft is now the scoring
    db.session.flush()
    workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.submit, actor, version=opinion.version.number)
    return opinion


def _outcome(opinion: SecondOpinion) -> str:
    scored = [s for s in opinion.scores if s.first_level_key or s.level_key]
    if all(s.decided_level_key == s.first_level_key for s in scored):
        return "first"
    if all(s.decided_level_key == s.level_key for s in scored):
        return "second"
    return "mixed"


def resolve(plan: Plan, opinion: SecondOpinion, actor, decisions: dict[str, str], notes: dict[str, str],
            note: str) -> SecondOpinion:
    """The decider picks, per criterion, the level to release (the first reviewer's, the second instructor's, or
    another) with a note where they wish. The review's levels become the decision; the first reviewer's levels as
    they stood and the second opinion stay kept on the second opinion."""
    plan_services.lock(plan)
    if not workflow.can_second_opinion(plan, opinion, SecondOpinionAction.resolve, actor):
        workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.resolve, actor)  # raises, saying why
    rubric = plan.rubric_version
    levels = set(rubric.level_keys())
    missing = []
    for score in opinion.scores:
        level = (decisions.get(score.criterion_key) or "").strip()
        if not level:
            missing.append(score.criterion_key)
        elif level not in levels:
            raise ValidationError(_("Unknown level for %(criterion)s.", criterion=score.criterion_key))
        if len((notes.get(score.criterion_key) or "").strip()) > MAX_COMMENT:
            raise ValidationError(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT))
    if missing:
        raise ValidationError(_("Choose the level to release for every criterion: %(n)d are missing.",
                                n=len(missing)))
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_COMMENT:
        raise ValidationError(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT))
    review = opinion.review
    for score in opinion.scores:
        decided = decisions[score.criterion_key].strip()
        score.decided_level_key = decided
        score.decision_note = (notes.get(score.criterion_key) or "").replace("\r\n", "\n").strip()
        kept = review.score_for(score.criterion_key)
        if kept is None:
            kept = CriterionScore(criterion_key=score.criterion_key, comment="")
            review.scores.append(kept)
        kept.level_key = decided
    review.save_token += 1  # a review page opened before the decision cannot save its older levels over it
    review.updated_at = utcnow()
    opinion.decision_note = note
    opinion.outcome = _outcome(opinion)
    opinion.resolved_at, opinion.resolved_by_id = utcnow(), actor.id
    db.session.flush()
    workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.resolve, actor, version=opinion.version.number,
                                  outcome=opinion.outcome)
    return opinion


def cancel(plan: Plan, opinion: SecondOpinion, actor) -> SecondOpinion:
    """The person who asked, or a course leader, withdraws a second opinion not yet decided. Whatever the second
    instructor scored stays kept; the review stands as its reviewer wrote it."""
    plan_services.lock(plan)
    was = SecondOpinionState(opinion.state)
    opinion.cancelled_at, opinion.outcome = utcnow(), "cancelled"
    workflow.apply_second_opinion(plan, opinion, SecondOpinionAction.cancel, actor, version=opinion.version.number,
                                  was=was.value)
    return opinion


def get(plan: Plan, opinion_id: int | None = None) -> SecondOpinion:
    """The plan's second opinion on its version under review: the open one, else the latest not cancelled."""
    version = plan.current_version or plan.latest_version
    opinion = open_second_opinion(version) or latest_second_opinion(version)
    if opinion is None:
        raise NotFound()
    return opinion


# --- the demo ---------------------------------------------------------------------------------------------

def demo_second_opinion(plan: Plan, leader, rater) -> SecondOpinion:
    """A second opinion scored two levels away from the first review on one criterion, waiting for the course
    leader's decision, so the leader sees the flag."""
    opinion = request(plan, leader, rater, "The measures look thin to me; a second pair of eyes before release.")
    review = opinion.review
    levels = {s.criterion_key: s.level_key for s in review.scores}
    order = plan.rubric_version.level_keys()
    scores = {}
    for key in plan.rubric_version.criterion_keys():
        level = levels.get(key) or order[1]
        scores[key] = {"level": level, "comment": ""}
    first = levels.get("measures") or order[1]
    index = order.index(first)
    far = order[index + 2] if index + 2 < len(order) else order[max(0, index - 2)]
    scores["measures"] = {"level": far, "comment": "Every measure names a service and a role; dates are a detail "
                                                   "the next version can add."}
    return submit(plan, opinion, rater, scores)
