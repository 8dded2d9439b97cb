"""Read side of the progress dashboard: a fixed handful of queries per assignment, whatever the cohort's size.

Counting and grouping happen in SQL where they can, so that few and small rows come back; the numbers are
finished in `app.dashboard.services`. One thing differs between SQLite and PostgreSQL, the difference between
two times in days, and has its own small helper below."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Float, Row, Text
from sqlalchemy.orm import aliased, defer, joinedload

from app.assignments.models import Assignment
from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import UTCDateTime, db
from app.plans.models import Plan, PlanVersion
from app.plans.states import NOTHING_SUBMITTED, OPEN_FOR_REVIEW
from app.reviews.models import AnchoredComment, CriterionScore, Review

# A comment counts as helpful when its student rated it "somewhat helpful" (2) or "very helpful" (3).
HELPFUL_FROM = 2


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _days_between(start, end):
    """end - start in days, as a number computed by the database."""
    if _dialect() == "postgresql":
        return db.cast(db.func.extract("epoch", end - start) / 86400.0, Float)
    return db.func.julianday(end) - db.func.julianday(start)


def student_members(cohort_id: int) -> Sequence[Row]:
    """(id, name, email, student number) of everyone who is a student of the cohort now."""
    return db.session.execute(
        db.select(User.id, User.name, User.email, Membership.student_number)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.student)
    ).all()


def instructors(cohort_id: int) -> Sequence[Row]:
    """(id, name) of the cohort's instructors."""
    return db.session.execute(
        db.select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.instructor)
    ).all()


def plans(assignment) -> Sequence[Row]:
    """Every plan of the assignment, one row each, with its student and reviewer and a summary of its versions:
    how many, when the last came, when the latest still under way (not withdrawn) came, whether the first one
    not withdrawn was late, and when feedback was last released."""
    kept = PlanVersion.withdrawn_at.is_(None)
    versions = (db.select(PlanVersion.plan_id, db.func.count(PlanVersion.id).label("versions"),
                          db.func.max(PlanVersion.submitted_at).label("last_submitted"),
                          db.func.min(PlanVersion.submitted_at).label("first_submitted"),
                          db.func.max(db.case((kept, PlanVersion.submitted_at))).label("latest_kept_at"),
                          db.func.min(db.case((kept, PlanVersion.number))).label("first_kept"))
                .join(Plan, Plan.id == PlanVersion.plan_id)
                .where(Plan.assignment_id == assignment.id)
                .group_by(PlanVersion.plan_id).subquery())
    releases = (db.select(Review.plan_id, db.func.max(Review.released_at).label("last_release"))
                .join(Plan, Plan.id == Review.plan_id)
                .where(Plan.assignment_id == assignment.id, Review.released_at.is_not(None))
                .group_by(Review.plan_id).subquery())
    student, reviewer, first = aliased(User), aliased(User), aliased(PlanVersion)
    return db.session.execute(
        db.select(Plan.id, Plan.student_id, Plan.state, Plan.reviewer_id, Plan.updated_at, Plan.draft_saved_at,
                  student.name.label("student_name"), student.email.label("student_email"),
                  reviewer.name.label("reviewer_name"),
                  db.func.coalesce(versions.c.versions, 0).label("versions"),
                  db.type_coerce(versions.c.last_submitted, UTCDateTime()).label("last_submitted"),
                  db.type_coerce(versions.c.first_submitted, UTCDateTime()).label("first_submitted"),
                  db.type_coerce(versions.c.latest_kept_at, UTCDateTime()).label("latest_kept_at"),
                  versions.c.first_kept, first.late.label("first_kept_late"),
                  db.type_coerce(releases.c.last_release, UTCDateTime()).label("last_release"))
        .join(student, student.id == Plan.student_id)
        .outerjoin(reviewer, reviewer.id == Plan.reviewer_id)
        .outerjoin(versions, versions.c.plan_id == Plan.id)
        .outerjoin(first, (first.plan_id == Plan.id) & (first.number == versions.c.first_kept))
        .outerjoin(releases, releases.c.plan_id == Plan.id)
        .where(Plan.assignment_id == assignment.id)
    ).all()


def turnaround(assignment) -> Sequence[Row]:
    """(reviewer id, reviewer name, days from submission to release) of every released review."""
    reviewer = aliased(User)
    return db.session.execute(
        db.select(Review.reviewer_id, reviewer.name,
                  _days_between(PlanVersion.submitted_at, Review.released_at).label("days"))
        .join(PlanVersion, PlanVersion.id == Review.plan_version_id)
        .join(Plan, Plan.id == Review.plan_id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .where(Plan.assignment_id == assignment.id, Review.released_at.is_not(None))
    ).all()


def _released_bounds(assignment):
    """Per plan: the numbers of the first and the latest version with released feedback."""
    return (db.select(Review.plan_id, db.func.min(PlanVersion.number).label("first"),
                      db.func.max(PlanVersion.number).label("latest"))
            .join(PlanVersion, PlanVersion.id == Review.plan_version_id)
            .join(Plan, Plan.id == Review.plan_id)
            .where(Plan.assignment_id == assignment.id, Review.released_at.is_not(None))
            .group_by(Review.plan_id).subquery())


def reviewed_plan_counts(assignment) -> tuple[int, int]:
    """(plans with released feedback, plans with released feedback on two or more versions)."""
    bounds = _released_bounds(assignment)
    reviewed, compared = db.session.execute(
        db.select(db.func.count(), db.func.sum(db.case((bounds.c.first < bounds.c.latest, 1), else_=0)))
        .select_from(bounds)).one()
    return reviewed or 0, compared or 0


def _first_and_latest(assignment, value):
    """Per plan and criterion: `value` of the score on the first and on the latest released review (as "first"
    and "latest"), and whether those are two different versions (as "two"), in one pass over their scores."""
    bounds = _released_bounds(assignment)
    return (db.select(Review.plan_id, CriterionScore.criterion_key,
                      db.func.max(db.case((PlanVersion.number == bounds.c.first, value))).label("first"),
                      db.func.max(db.case((PlanVersion.number == bounds.c.latest, value))).label("latest"),
                      db.func.max(db.case((bounds.c.first < bounds.c.latest, 1), else_=0)).label("two"))
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .join(PlanVersion, PlanVersion.id == Review.plan_version_id)
            .join(bounds, bounds.c.plan_id == Review.plan_id)
            .where(Review.released_at.is_not(None),
                   (PlanVersion.number == bounds.c.first) | (PlanVersion.number == bounds.c.latest))
            .group_by(Review.plan_id, CriterionScore.criterion_key))


def levels_and_moves(assignment, level_order: dict[str, int]) -> Sequence[Row]:
    """(criterion, rank on the latest released review or None, plans, moved up, stayed, moved down).

    Per plan and criterion, the level's rank on its first and its latest released review (None when not scored or
    unknown); the outer query counts them per criterion and latest rank, and counts the movement between the two
    reviews for plans with feedback on two or more versions."""
    rank = db.case(level_order, value=CriterionScore.level_key) if level_order else db.null()
    pairs = _first_and_latest(assignment, rank).subquery()
    compared = (pairs.c.two == 1) & pairs.c.first.is_not(None) & pairs.c.latest.is_not(None)
    count = lambda condition: db.func.sum(db.case((compared & condition, 1), else_=0))  # noqa: E731
    return db.session.execute(
        db.select(pairs.c.criterion_key, pairs.c.latest, db.func.count(),
                  count(pairs.c.latest > pairs.c.first), count(pairs.c.latest == pairs.c.first),
                  count(pairs.c.latest < pairs.c.first))
        .group_by(pairs.c.criterion_key, pairs.c.latest)
    ).all()


def levels_per_plan(assignment) -> Sequence[Row]:
    """(plan id, criterion, level key on the first released review, level key on the latest released review, whether
    those are two versions) of every plan with released feedback."""
    return db.session.execute(_first_and_latest(assignment, CriterionScore.level_key)).all()


def _first_and_latest_versions(assignment):
    """(plan id, number, is first, is latest) of each plan's first and latest version that was not withdrawn."""
    kept = (db.select(PlanVersion.plan_id, db.func.min(PlanVersion.number).label("first"),
                      db.func.max(PlanVersion.number).label("latest"))
            .join(Plan, Plan.id == PlanVersion.plan_id)
            .where(Plan.assignment_id == assignment.id, PlanVersion.withdrawn_at.is_(None))
            .group_by(PlanVersion.plan_id).subquery())
    return kept


def first_and_latest_hints(assignment):
    """(plan id, number, word count, stored hints as JSON text) of each plan's first and latest version not
    withdrawn.

    Only these two versions per plan are read, so the work does not grow with the number of revisions. (Reading
    the JSON in Python is faster here than taking it apart in SQL, on SQLite and on PostgreSQL alike.)"""
    kept = _first_and_latest_versions(assignment)
    # The hints come as text and are parsed by the caller, which is faster than the driver's JSON loading on
    # PostgreSQL; and in batches, so each version can be summed up and let go before the next batch is read.
    return db.session.execute(
        db.select(PlanVersion.plan_id, PlanVersion.number, PlanVersion.word_count,
                  db.cast(PlanVersion.hints, Text).label("hints"))
        .join(kept, (kept.c.plan_id == PlanVersion.plan_id)
              & ((PlanVersion.number == kept.c.first) | (PlanVersion.number == kept.c.latest)))
        .execution_options(yield_per=100)
    )


def leader_triage(user, now, released_since) -> Sequence[Row]:
    """The assignments of every cohort `user` leads, each with what needs the leader's eye, counted in SQL in one
    statement: (assignment, plans waiting for a reviewer, overdue reviews, overdue students, plans with feedback
    released since `released_since`). Overdue means what it means on the dashboard (`services.overdue_kind`)."""
    led = db.select(Membership.cohort_id).where(Membership.user_id == user.id, Membership.role == Role.leader)
    open_for_review = Plan.state.in_(sorted(OPEN_FOR_REVIEW))
    kept = db.exists().where(PlanVersion.plan_id == Plan.id, PlanVersion.withdrawn_at.is_(None))
    count = lambda condition: db.func.sum(db.case((condition, 1), else_=0))  # noqa: E731
    plan_counts = (db.select(Plan.assignment_id,
                             count(open_for_review & Plan.reviewer_id.is_(None)).label("waiting"),
                             count(open_for_review).label("open"),
                             count(Plan.state.in_(sorted(NOTHING_SUBMITTED)) & ~kept).label("unsubmitted"))
                   .join(Assignment, Assignment.id == Plan.assignment_id)
                   .where(Assignment.cohort_id.in_(led))
                   .group_by(Plan.assignment_id).subquery())
    has_plan = db.exists().where(Plan.assignment_id == Assignment.id, Plan.student_id == Membership.user_id)
    not_started = (db.select(Assignment.id.label("assignment_id"), db.func.count(Membership.id).label("students"))
                   .join(Membership, (Membership.cohort_id == Assignment.cohort_id) & (Membership.role == Role.student))
                   .where(Assignment.cohort_id.in_(led), ~has_plan)
                   .group_by(Assignment.id).subquery())
    released = (db.select(Plan.assignment_id, db.func.count(db.distinct(Review.plan_id)).label("plans"))
                .join(Plan, Plan.id == Review.plan_id)
                .join(Assignment, Assignment.id == Plan.assignment_id)
                .where(Assignment.cohort_id.in_(led), Review.released_at >= released_since)
                .group_by(Plan.assignment_id).subquery())
    zero = lambda column: db.func.coalesce(column, 0)  # noqa: E731
    return db.session.execute(
        db.select(Assignment, zero(plan_counts.c.waiting).label("waiting"),
                  db.case((Assignment.review_due_at < now, zero(plan_counts.c.open)), else_=0).label("overdue_reviews"),
                  db.case((Assignment.due_at < now, zero(plan_counts.c.unsubmitted) + zero(not_started.c.students)),
                          else_=0).label("overdue_students"),
                  zero(released.c.plans).label("released"))
        .options(joinedload(Assignment.cohort), defer(Assignment.instructions))
        .outerjoin(plan_counts, plan_counts.c.assignment_id == Assignment.id)
        .outerjoin(not_started, not_started.c.assignment_id == Assignment.id)
        .outerjoin(released, released.c.assignment_id == Assignment.id)
        .where(Assignment.cohort_id.in_(led))
        .order_by(Assignment.due_at, Assignment.id)
    ).all()


def helpful_ratings(assignment) -> Sequence[Row]:
    """(reviewer id, rated comments, comments rated helpful) over the released reviews of the assignment: the
    criterion comments and the comments on passages students rated. Helpful: "somewhat" or "very" (2 or 3)."""
    rated = []
    for model in (CriterionScore, AnchoredComment):
        rated.append(db.select(Review.reviewer_id.label("reviewer_id"), model.helpful.label("helpful"))
                     .join(model, model.review_id == Review.id)
                     .join(Plan, Plan.id == Review.plan_id)
                     .where(Plan.assignment_id == assignment.id, Review.released_at.is_not(None),
                            Review.reviewer_id.is_not(None), model.helpful.is_not(None)))
    every = db.union_all(*rated).subquery()
    return db.session.execute(
        db.select(every.c.reviewer_id, db.func.count(),
                  db.func.sum(db.case((every.c.helpful >= HELPFUL_FROM, 1), else_=0)))
        .group_by(every.c.reviewer_id)).all()


def names(user_ids) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(sorted(user_ids)))).all())
