"""The reminder rules. A student is reminded once, two days before their assignment's due date, while their plan is
not submitted (not started, or a draft); a reviewer, at most once a day, of the plans they review that wait past
the assignment's review date (what the progress dashboard calls an overdue review). Each reminder is a notification:
in the app, and by e-mail when the person chose that for its kind."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.assignments.models import Assignment
from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db, utcnow
from app.notifications.services import notify
from app.plans.models import Plan
from app.plans.states import NOTHING_SUBMITTED, OPEN_FOR_REVIEW
from app.reminders.models import ReminderSent

DUE_SOON = "due_soon"
REVIEW_OVERDUE = "review_overdue"
# How long before the due date a student whose plan is not submitted is reminded.
DUE_SOON_BEFORE = timedelta(days=2)


@dataclass(frozen=True)
class DueSoon:
    student: User
    assignment: Assignment
    plan: Plan | None


@dataclass(frozen=True)
class OverdueReviews:
    reviewer: User
    assignment: Assignment
    count: int


def students_due_soon(now: datetime) -> list[DueSoon]:
    """Students of an open assignment due within DUE_SOON_BEFORE whose plan is not submitted and who were not
    reminded of it yet."""
    reminded = db.select(ReminderSent.id).where(ReminderSent.kind == DUE_SOON, ReminderSent.user_id == User.id,
                                                ReminderSent.assignment_id == Assignment.id)
    rows = db.session.execute(
        db.select(User, Assignment, Plan)
        .join(Membership, Membership.user_id == User.id)
        .join(Assignment, db.and_(Assignment.cohort_id == Membership.cohort_id))
        .outerjoin(Plan, db.and_(Plan.assignment_id == Assignment.id, Plan.student_id == User.id))
        .where(Membership.role == Role.student, Assignment.opens_at <= now, Assignment.closed_at.is_(None),
               Assignment.due_at > now, Assignment.due_at <= now + DUE_SOON_BEFORE,
               db.or_(Plan.id.is_(None), Plan.state.in_(NOTHING_SUBMITTED)), ~db.exists(reminded))
        .order_by(Assignment.id, User.id)).all()
    return [DueSoon(student, assignment, plan) for student, assignment, plan in rows]


def overdue_reviews(now: datetime) -> list[OverdueReviews]:
    """Per reviewer and open assignment: how many of the plans they review wait past the review date, for those
    not yet reminded today."""
    reminded = db.select(ReminderSent.id).where(ReminderSent.kind == REVIEW_OVERDUE, ReminderSent.user_id == User.id,
                                                ReminderSent.assignment_id == Assignment.id,
                                                ReminderSent.period == _day(now))
    count = db.func.count(Plan.id)
    rows = db.session.execute(
        db.select(User, Assignment, count)
        .join(Plan, Plan.reviewer_id == User.id)
        .join(Assignment, Assignment.id == Plan.assignment_id)
        .where(Plan.state.in_(OPEN_FOR_REVIEW), Assignment.review_due_at < now, Assignment.closed_at.is_(None),
               ~db.exists(reminded))
        .group_by(User.id, Assignment.id)
        .order_by(Assignment.id, User.id)).all()
    return [OverdueReviews(reviewer, assignment, number) for reviewer, assignment, number in rows]


def remind_due_soon(now: datetime | None = None) -> int:
    """Reminds each student found by `students_due_soon`; returns how many were reminded. Commits each reminder
    with its record, so that no reminder is ever sent twice, even by two runs at once."""
    now = now or utcnow()
    sent = 0
    for due in students_due_soon(now):
        if not _claim(DUE_SOON, due.student.id, due.assignment.id, ""):
            continue
        notify(due.student, DUE_SOON, plan=due.plan, assignment=due.assignment.title,
               due=due.assignment.due_at.isoformat())
        db.session.commit()
        sent += 1
    return sent


def remind_overdue_reviews(now: datetime | None = None) -> int:
    """Reminds each reviewer found by `overdue_reviews`, once a day per assignment; returns how many reminders."""
    now = now or utcnow()
    sent = 0
    for late in overdue_reviews(now):
        if not _claim(REVIEW_OVERDUE, late.reviewer.id, late.assignment.id, _day(now)):
            continue
        notify(late.reviewer, REVIEW_OVERDUE, assignment=late.assignment.title, count=late.count,
               review_due=late.assignment.review_due_at.isoformat())
        db.session.commit()
        sent += 1
    return sent


def _day(now: datetime) -> str:
    return now.date().isoformat()


def _claim(kind: str, user_id: int, assignment_id: int, period: str) -> bool:
    """Records the reminder; False when it is already recorded (another run sent it)."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(kind=kind, user_id=user_id, assignment_id=assignment_id, period=period))
    except IntegrityError:
        return False
    return True
