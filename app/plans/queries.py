"""Read side of plans: one named loader per page, each reading in one round trip what that page shows.

Loaders read; they do not decide who may look (the views ask `app.plans.policies` right after loading). Each
statement is built once, the first time it is needed; a request only binds the plan's or person's id."""
from __future__ import annotations

import functools

from sqlalchemy import BindParameter, bindparam
from sqlalchemy.orm import defer, joinedload, selectinload, undefer

from app.assignments.models import Assignment
from app.cases.models import CaseVersion
from app.cohorts.models import Membership, Role
from app.db import db
from app.plans.models import Plan, PlanVersion
from app.rubrics.models import RubricVersion

# What a plan's pages and rules read of its assignment (who decides a second opinion among them): not its
# instructions (only the plan page shows them).
ASSIGNMENT_FOR_PLAN = (Assignment.cohort_id, Assignment.title, Assignment.case_version_id, Assignment.rubric_version_id,
                       Assignment.opens_at, Assignment.due_at, Assignment.review_due_at, Assignment.allow_late,
                       Assignment.closed_at, Assignment.second_opinion_resolver)


@functools.cache
def case_summary():
    """A plan's case version with only its name, languages and fingerprint: what pages and changes of state look at
    (the person's name in the stored hints, the language the case panel reads in), not the case's documents."""
    return joinedload(Plan.case_version).load_only(CaseVersion.person_name, CaseVersion.languages,
                                                   CaseVersion.fingerprint)


def _assignment(*extra):
    return joinedload(Plan.assignment).load_only(*ASSIGNMENT_FOR_PLAN, *extra)


def _versions_listed():
    """The list of versions, without their text and hints (read when first asked for)."""
    return selectinload(Plan.versions).load_only(
        PlanVersion.number, PlanVersion.submitted_at, PlanVersion.late, PlanVersion.withdrawn_at,
        PlanVersion.word_count, PlanVersion.draft_token)


def _one_plan(*options, assignment=None):
    return db.select(Plan).where(Plan.id == bindparam("plan_id")).options(
        assignment if assignment is not None else _assignment(), undefer(Plan.version_count), *options)


@functools.cache
def _for_editor():
    # The rubric's fingerprint only: the rubric beside the plan comes with the case panel. The assignment's
    # instructions are shown above the plan.
    return _one_plan(case_summary(), joinedload(Plan.rubric_version).load_only(RubricVersion.fingerprint),
                     assignment=_assignment(Assignment.instructions))


@functools.cache
def _for_submit():
    return _one_plan(case_summary(), joinedload(Plan.rubric_version).load_only(RubricVersion.fingerprint),
                     joinedload(Plan.student))


@functools.cache
def _for_history():
    return _one_plan(case_summary(), joinedload(Plan.student), defer(Plan.draft), _versions_listed())


@functools.cache
def _for_autosave():
    return _one_plan(defer(Plan.draft))  # the save replaces the draft: no need to read it


@functools.cache
def _plain():
    return _one_plan()


def _load(statement, plan_id: int) -> Plan | None:
    return db.session.execute(statement, {"plan_id": plan_id}).scalar_one_or_none()


def plan_for_editor(plan_id: int) -> Plan | None:
    """The plan page: the draft, the assignment with its instructions, the case's name and languages, the number
    of versions."""
    return _load(_for_editor(), plan_id)


def plan_for_submit(plan_id: int) -> Plan | None:
    """The page before submitting, and the submit itself: as the editor, with the student (their language)."""
    return _load(_for_submit(), plan_id)


def plan_for_history(plan_id: int) -> Plan | None:
    """The history: every version listed (not their text), the student, no draft."""
    return _load(_for_history(), plan_id)


def plan_for_autosave(plan_id: int) -> Plan | None:
    return _load(_for_autosave(), plan_id)


def plan(plan_id: int) -> Plan | None:
    """A plan with its assignment (whose cohort decides who may look); anything else is read when asked for."""
    return _load(_plain(), plan_id)


def version_of(plan: Plan, number: int) -> PlanVersion | None:
    return next((version for version in plan.versions if version.number == number), None)


def plan_of(assignment: Assignment, student) -> Plan | None:
    return db.session.scalar(db.select(Plan).where(Plan.assignment_id == assignment.id,
                                                   Plan.student_id == student.id))


def student_assignments(user) -> list[tuple[Assignment, Plan | None]]:
    """"My plans" and a student's home: the assignments of every cohort where they are a student, with their plan
    when it exists."""
    rows = db.session.execute(_student_assignments(), {"user_id": user.id}).all()
    return [(assignment, plan) for assignment, plan in rows]


@functools.cache
def _student_assignments():
    user_id: BindParameter[int] = bindparam("user_id")
    return (
        db.select(Assignment, Plan)
        # What the cards show: the cohort's name, the case's title, the assignment's instructions, the plan's state
        # and number of versions; not the case's documents or the plan's text.
        .options(joinedload(Assignment.cohort),
                 joinedload(Assignment.case_version).load_only(CaseVersion.title, CaseVersion.languages),
                 defer(Plan.draft), undefer(Plan.version_count))
        .join(Membership, (Membership.cohort_id == Assignment.cohort_id) & (Membership.user_id == user_id)
              & (Membership.role == Role.student))
        .outerjoin(Plan, (Plan.assignment_id == Assignment.id) & (Plan.student_id == user_id))
        .order_by(Assignment.due_at, Assignment.id))
