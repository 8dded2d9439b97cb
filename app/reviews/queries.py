"""Read side of reviewing: the review page, the queues and the allocation overview."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import BindParameter, bindparam
from sqlalchemy.orm import defer, joinedload, selectinload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.assignments.models import Assignment
from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db
from app.plans.models import Plan, PlanVersion
from app.plans.queries import ASSIGNMENT_FOR_PLAN, case_summary
from app.plans.states import AFTER_REVIEW, OPEN_FOR_REVIEW, WAITING_FOR_REVIEWER
from app.reviews.models import (
    AnchoredComment,
    CommentBankEntry,
    FeedbackReply,
    Reflection,
    Review,
    RevisionIntention,
    SecondOpinion,
    SecondOpinionScore,
)
from app.reviews.policies import version_under_review
from app.rubrics.models import KeptRubric, RubricVersion
from app.rubrics.queries import rubric_for_reading


@dataclass
class ReviewPage:
    """What the review page shows: the plan, the version under review and its review (if started), and the review
    released on an earlier version with the student's reflection on it (if any)."""

    plan: Plan
    rubric: KeptRubric  # the plan's rubric version, as pages read it
    version: PlanVersion | None
    review: Review | None
    previous: Review | None
    reflection: Reflection | None
    intentions: dict[str, RevisionIntention] = field(default_factory=dict)  # the revision plan after `previous`


@functools.cache
def _review_page_plan():
    # The plan without its draft (the reviewer reads a version) and with its versions, the student, the case's
    # name and languages and the rubric's fingerprint (the rubric itself is kept: `rubric_for_reading`): one
    # round trip.
    return (db.select(Plan).where(Plan.id == bindparam("plan_id"))
            .options(joinedload(Plan.assignment).load_only(*ASSIGNMENT_FOR_PLAN), undefer(Plan.version_count),
                     case_summary(), joinedload(Plan.rubric_version).load_only(RubricVersion.fingerprint),
                     joinedload(Plan.student), defer(Plan.draft), joinedload(Plan.versions)))


@functools.cache
def _review_page_reviews():
    # Every review of the plan with its levels, whether a second opinion was asked, and whether it has comments
    # on passages (those follow, for the reviews the page shows and only where there are some: `_with_comments`).
    has_comments = db.exists().where(AnchoredComment.review_id == Review.id).correlate(Review)
    return (db.select(Review, has_comments.label("has_comments")).where(Review.plan_id == bindparam("plan_id"))
            .options(joinedload(Review.scores), joinedload(Review.second_opinions)))


@functools.cache
def _review_case_plan():
    # Only what deciding who may read it needs (the plan's people, state and cohort) and the case version's name,
    # languages and fingerprint: the case with its teaching notes is a kept part, read from the database only the
    # first time a worker renders it (`case_for_teachers`).
    return (db.select(Plan).where(Plan.id == bindparam("plan_id"))
            .options(joinedload(Plan.assignment).load_only(*ASSIGNMENT_FOR_PLAN), case_summary(), defer(Plan.draft)))


def plan_for_review_case(plan_id: int) -> Plan | None:
    """The plan whose review page's "The case" tab is asked for, in one round trip."""
    return db.session.execute(_review_case_plan(), {"plan_id": plan_id}).unique().scalar_one_or_none()


@functools.cache
def _comments_of():
    return (db.select(AnchoredComment).where(AnchoredComment.review_id.in_(bindparam("review_ids", expanding=True)))
            .order_by(AnchoredComment.id))


def _with_comments(reviews: list[Review | None], commented: set[int]) -> None:
    """The comments of these reviews (the one under way, the one released before it), read in one round trip and
    put in place, in the order `Review.comments` keeps: a third less of the worker's time than loading them as a
    relationship of every review of the plan. `commented`: the ids of the reviews that have any; the others get
    none without a round trip (a review just begun, one given by levels and comments on criteria alone)."""
    comments: dict[int, list[AnchoredComment]] = {review.id: [] for review in reviews if review is not None}
    asked = [review_id for review_id in comments if review_id in commented]
    if asked:
        for comment in db.session.scalars(_comments_of(), {"review_ids": asked}):
            comments[comment.review_id].append(comment)
    for review in reviews:
        if review is not None:
            set_committed_value(review, "comments", comments[review.id])


@functools.cache
def _bank_texts():
    return (db.select(CommentBankEntry.text).where(CommentBankEntry.owner_id == bindparam("owner_id"))
            .order_by(CommentBankEntry.updated_at.desc()))


def bank_texts_of(user) -> list[str]:
    """The texts of the person's saved comments, newest first: what the review page offers to insert (the texts
    alone, not the entries, which the bank's own page edits)."""
    return list(db.session.scalars(_bank_texts(), {"owner_id": user.id}))


@functools.cache
def _opinion_shown():
    return (db.select(SecondOpinion).where(SecondOpinion.id == bindparam("opinion_id"))
            .options(joinedload(SecondOpinion.rater).load_only(User.name),
                     joinedload(SecondOpinion.requested_by).load_only(User.name), joinedload(SecondOpinion.scores)))


def second_opinion_shown(opinion: SecondOpinion) -> SecondOpinion:
    """The second opinion the review page shows, with who was asked and who asked (the panel names them) and its
    levels (the flag), in one round trip: read only where a plan has one, so that the page without costs nothing."""
    return db.session.execute(_opinion_shown(), {"opinion_id": opinion.id}).unique().scalar_one()


def load_review_page(plan_id: int) -> ReviewPage | None:
    """The review page in a few round trips (the plan and its versions; the reviews with their levels; their
    comments; the student's replies to both; the reflection and the revision plan, when an earlier review was
    released). Who may see it is asked after."""
    plan = db.session.execute(_review_page_plan(), {"plan_id": plan_id}).unique().scalar_one_or_none()
    if plan is None:
        return None
    version = version_under_review(plan)
    rows = db.session.execute(_review_page_reviews(), {"plan_id": plan_id}).unique().all()
    reviews = {review.plan_version_id: review for review, _has_comments in rows}
    commented = {review.id for review, has_comments in rows if has_comments}
    review = reviews.get(version.id) if version is not None else None
    previous = None
    if version is not None:
        earlier = [v for v in plan.versions if v.number < version.number and v.id in reviews
                   and reviews[v.id].released_at is not None]
        previous = reviews[earlier[-1].id] if earlier else None
    _with_comments([review, previous], commented)
    reflection = db.session.scalar(db.select(Reflection).where(Reflection.plan_version_id == previous.plan_version_id)) \
        if previous is not None else None
    intentions = {}
    if previous is not None:
        _with_replies(previous)
        intentions = {i.criterion_key: i for i in db.session.scalars(
            db.select(RevisionIntention).where(RevisionIntention.review_id == previous.id))}
    rubric = rubric_for_reading(plan.rubric_version_id, plan.rubric_version.fingerprint)
    return ReviewPage(plan, rubric, version, review, previous, reflection, intentions)


def _with_replies(review: Review) -> None:
    """The student's replies to a review's comments and criteria, read in one round trip and put in place."""
    replies = list(db.session.scalars(db.select(FeedbackReply).where(FeedbackReply.review_id == review.id)
                                      .order_by(FeedbackReply.id)))
    for comment in review.comments:
        set_committed_value(comment, "replies", [r for r in replies if r.comment_id == comment.id])
    for score in review.scores:
        set_committed_value(score, "replies", [r for r in replies if r.score_id == score.id])

# Lists show who, what and when, never the text: leave the drafts (several kilobytes of JSON each) in the database.
WITHOUT_DRAFT = defer(Plan.draft)


def _submitted_at():
    """When each listed plan was last submitted: looked up per plan (by the index on the versions' plan), not by
    grouping every version in the database."""
    return (db.select(db.func.max(PlanVersion.submitted_at)).where(PlanVersion.plan_id == Plan.id)
            .correlate(Plan).scalar_subquery())


def my_queue(user) -> list[tuple[Plan, object]]:
    """Plans allocated to this reviewer that wait for a review or are in review, oldest submission first (never their
    own, which nobody reviews)."""
    submitted_at = _submitted_at()
    rows = db.session.execute(
        db.select(Plan, submitted_at)
        .options(joinedload(Plan.student), joinedload(Plan.assignment), WITHOUT_DRAFT,
                 selectinload(Plan.versions).load_only(PlanVersion.plan_id, PlanVersion.number))
        .where(Plan.reviewer_id == user.id, Plan.student_id != user.id, Plan.state.in_(sorted(OPEN_FOR_REVIEW)))
        .order_by(submitted_at, Plan.id)).all()
    return [(plan, submitted_at) for plan, submitted_at in rows]


OPEN_PER_PAGE = 25


def _waiting_for_a_reviewer(user_id) -> tuple:
    """Submitted plans without a reviewer, in cohorts where the user (an id, or a bound parameter) teaches, except
    their own (nobody reviews their own plan)."""
    cohorts = db.select(Membership.cohort_id).where(Membership.user_id == user_id,
                                                    Membership.role == Role.instructor)
    return (Assignment.cohort_id.in_(cohorts), Plan.state.in_(sorted(WAITING_FOR_REVIEWER)), Plan.reviewer_id.is_(None),
            Plan.student_id != user_id)


def review_counts(user) -> tuple[int, int]:
    """For the home page, in one round trip: how many plans this reviewer has (waiting for their review or in
    it), and how many wait for someone to claim them in the cohorts where they teach."""
    row = db.session.execute(_review_counts_query(), {"user_id": user.id}).one()
    return row[0], row[1]


@functools.cache
def _review_counts_query():
    user_id: BindParameter[int] = bindparam("user_id")
    mine = (db.select(db.func.count(Plan.id))
            .where(Plan.reviewer_id == user_id, Plan.student_id != user_id, Plan.state.in_(sorted(OPEN_FOR_REVIEW)))
            .scalar_subquery())
    waiting = (db.select(db.func.count(Plan.id)).join(Assignment, Assignment.id == Plan.assignment_id)
               .where(*_waiting_for_a_reviewer(user_id)).scalar_subquery())
    return db.select(mine, waiting)


def unallocated_for_instructor(user, page: int = 1) -> tuple[list[tuple[Plan, object]], int]:
    """Submitted plans without a reviewer in cohorts where the user is an instructor, oldest submission first,
    one page at a time (a whole class may wait at once), with how many there are: who and when, not what."""
    submitted_at = _submitted_at()
    waiting = _waiting_for_a_reviewer(user.id)
    total = db.session.scalar(db.select(db.func.count(Plan.id)).join(Assignment, Assignment.id == Plan.assignment_id)
                              .where(*waiting))
    if not total:
        return [], 0
    rows = db.session.execute(
        db.select(Plan, submitted_at)
        .join(Assignment, Assignment.id == Plan.assignment_id)
        .options(joinedload(Plan.student), joinedload(Plan.assignment), WITHOUT_DRAFT)
        .where(*waiting).order_by(submitted_at, Plan.id)
        .limit(OPEN_PER_PAGE).offset((page - 1) * OPEN_PER_PAGE)).all()
    return [(plan, submitted_at) for plan, submitted_at in rows], total


def recently_reviewed(user, limit: int = 20) -> list[Plan]:
    return list(db.session.scalars(
        db.select(Plan).options(joinedload(Plan.student), WITHOUT_DRAFT)
        .where(Plan.reviewer_id == user.id, Plan.state.in_(sorted(AFTER_REVIEW)))
        .order_by(Plan.updated_at.desc()).limit(limit)))


def submitted_plans(assignment) -> list[tuple[Plan, object]]:
    submitted_at = _submitted_at()
    rows = db.session.execute(
        db.select(Plan, submitted_at)
        .options(joinedload(Plan.student), joinedload(Plan.reviewer), WITHOUT_DRAFT)
        .where(Plan.assignment_id == assignment.id, Plan.state.in_(sorted(OPEN_FOR_REVIEW)))
        .order_by(submitted_at, Plan.id)).all()
    return [(plan, submitted_at) for plan, submitted_at in rows]


def instructors(cohort_id: int):
    return list(db.session.scalars(db.select(User).join(Membership, Membership.user_id == User.id)
                                   .where(Membership.cohort_id == cohort_id, Membership.role == Role.instructor)
                                   .order_by(User.name)))


def leader_assignments(user) -> list[Assignment]:
    """The assignments of the cohorts this person leads, soonest due first, with their cohort."""
    return list(db.session.scalars(_leader_assignments_query(), {"user_id": user.id}))


@functools.cache
def _leader_assignments_query():
    cohorts = db.select(Membership.cohort_id).where(Membership.user_id == bindparam("user_id"),
                                                    Membership.role == Role.leader)
    return (db.select(Assignment).options(joinedload(Assignment.cohort), defer(Assignment.instructions))
            .where(Assignment.cohort_id.in_(cohorts)).order_by(Assignment.due_at, Assignment.id))


def second_opinion_ratings(assignment_id: int) -> list[tuple[str, int, str, str]]:
    """For the agreement statistics: for each version of the assignment with a submitted second opinion (the latest
    one), (unit, rater id, criterion key, level key) for the first reviewer's levels as they stood when the second
    opinion came in (never the decision) and for the second instructor's levels. The unit is f"version:{id}";
    criteria without a level, and raters whose account is gone, are left out."""
    latest = (db.select(db.func.max(SecondOpinion.id))
              .join(Plan, Plan.id == SecondOpinion.plan_id)
              .where(Plan.assignment_id == assignment_id, SecondOpinion.submitted_at.is_not(None))
              .group_by(SecondOpinion.plan_version_id))
    rows = db.session.execute(
        db.select(SecondOpinion.plan_version_id, SecondOpinion.first_rater_id, SecondOpinion.rater_id,
                  SecondOpinionScore.criterion_key, SecondOpinionScore.first_level_key, SecondOpinionScore.level_key)
        .join(SecondOpinionScore, SecondOpinionScore.second_opinion_id == SecondOpinion.id)
        .where(SecondOpinion.id.in_(latest))
        .order_by(SecondOpinion.plan_version_id, SecondOpinionScore.id)).all()
    ratings: list[tuple[str, int, str, str]] = []
    for version_id, first_rater, second_rater, criterion, first_level, second_level in rows:
        unit = f"version:{version_id}"
        if first_rater is not None and first_level:
            ratings.append((unit, first_rater, criterion, first_level))
        if second_rater is not None and second_level:
            ratings.append((unit, second_rater, criterion, second_level))
    return ratings
