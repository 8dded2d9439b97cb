"""Use cases of the plan: start, save the draft, submit, withdraw. Services flush; the caller commits."""
from __future__ import annotations

import copy
import functools
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import BindParameter, bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.assignments.models import Assignment
from app.cases.models import CaseVersion
from app.cohorts.models import Membership, Role
from app.db import db, utcnow
from app.errors import Conflict, InvalidTransition, NotPermitted, ValidationError
from app.i18n import format_moment
from app.plans import workflow
from app.plans.content import ContentProblem, empty_content, normalise, word_count
from app.plans.models import Plan, PlanVersion
from app.plans.workflow import PlanAction, PlanState
from app.urls import is_db_int

EDITABLE = {PlanState.draft, PlanState.returned}


class DraftConflict(Conflict):
    """The draft was saved elsewhere since this copy was loaded. Carries the newer draft so nothing is lost."""

    def __init__(self, plan: Plan):
        super().__init__(_("This plan was saved from another tab or device. Your text and the newer text are "
                           "shown side by side: choose what to keep."))
        self.current = copy.deepcopy(plan.draft)
        self.save_token = plan.save_token
        self.saved_at = plan.draft_saved_at


def start_plan(assignment: Assignment, student) -> Plan:
    """The student's plan for this assignment, created on first use (safe when two requests race)."""
    existing = plan_for(assignment, student)
    if existing is not None:
        return existing
    if not assignment.has_opened():
        raise NotPermitted(_("This assignment opens on %(date)s.", date=format_moment(assignment.opens_at)))
    plan = Plan(assignment_id=assignment.id, student_id=student.id, case_version_id=assignment.case_version_id,
                rubric_version_id=assignment.rubric_version_id, draft=empty_content())
    try:
        with db.session.begin_nested():
            db.session.add(plan)
    except IntegrityError:
        existing = plan_for(assignment, student)
        assert existing is not None  # the plan another request added first, which made ours a duplicate
        return existing
    return plan


def plan_for(assignment: Assignment, student) -> Plan | None:
    return db.session.scalar(db.select(Plan).where(Plan.assignment_id == assignment.id,
                                                   Plan.student_id == student.id))


@functools.cache
def _save_statement(own_draft: bool = False):
    """The conditional write of a draft, built once (it runs at every autosave): only over the token the client
    read and only while the plan is editable; it counts the token up and answers with what it wrote. The
    `own_draft` form also names the student, and only a draft (not a returned plan, whose first change is a step
    in the workflow): the write is then its own access check."""
    conditions = [Plan.id == bindparam("plan_id"), Plan.save_token == bindparam("token")]
    if own_draft:
        conditions += [Plan.student_id == bindparam("owner_id"), Plan.state == PlanState.draft]
    else:
        conditions.append(Plan.state.in_(list(EDITABLE)))
    return (db.update(Plan)
            .where(*conditions)
            .values(draft=bindparam("draft", type_=Plan.draft.type), save_token=Plan.save_token + 1,
                    draft_saved_at=bindparam("now", type_=Plan.draft_saved_at.type),
                    updated_at=bindparam("now", type_=Plan.updated_at.type))
            .returning(Plan.save_token, Plan.state)
            .execution_options(synchronize_session=False))


def save_own_draft(plan_id: int, actor, save_token, raw_content) -> tuple[int, datetime] | None:
    """An autosave's usual case in one statement, with nothing read first: the student's own draft, over the
    token they read. Answers the new token and the time it was saved; None when it is not that case (someone
    else's plan or none, not a draft, a newer save elsewhere, content that does not pass): then `save_draft`,
    after the plan's access checks, saves or says why not."""
    if not is_db_int(save_token) or not getattr(actor, "is_authenticated", False):
        return None
    try:
        content = normalise(raw_content)
    except ContentProblem:
        return None
    now = utcnow()
    saved = db.session.execute(_save_statement(own_draft=True), {
        "plan_id": plan_id, "token": save_token, "owner_id": actor.id, "draft": content, "now": now}).first()
    return (saved.save_token, now) if saved is not None else None


def save_draft(plan: Plan, actor, save_token: int, raw_content) -> Plan:
    """Store the draft if the client's save token is the current one; otherwise refuse with the newer draft."""
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who writes this plan can change it."))
    try:
        content = normalise(raw_content)
    except ContentProblem as problem:
        raise ValidationError(_("The plan could not be saved: %(reason)s.", reason=str(problem))) from None
    if plan.state not in EDITABLE:
        raise InvalidTransition(_("This plan is \"%(state)s\" and cannot be edited now.",
                                  state=workflow.STATE_LABELS[plan.state]))
    if not is_db_int(save_token):
        raise ValidationError(_("The save token is missing; reload the page."))
    now = utcnow()
    saved = db.session.execute(_save_statement(), {"plan_id": plan.id, "token": save_token, "draft": content,
                                                   "now": now}).first()
    if saved is not None:
        # What this save wrote, as the database has it now (the token it counted up, the state it saw).
        for name, value in (("draft", content), ("save_token", saved.save_token), ("draft_saved_at", now),
                            ("updated_at", now), ("state", saved.state)):
            set_committed_value(plan, name, value)
    else:
        # The row afresh in one read, its draft too (an autosave leaves it unread until now), so that the newer
        # text and the token shown with it in the conflict belong together.
        db.session.execute(db.select(Plan).where(Plan.id == plan.id).options(undefer(Plan.draft))
                           .execution_options(populate_existing=True)).scalar_one()
        if plan.state not in EDITABLE:
            raise InvalidTransition(_("This plan is \"%(state)s\" and cannot be edited now.",
                                      state=workflow.STATE_LABELS[plan.state]))
        raise DraftConflict(plan)
    if plan.state == PlanState.returned:
        workflow.apply(plan, PlanAction.revise, actor)
    return plan


def lock(plan: Plan) -> None:
    """Hold the plan's row until the commit and read it afresh. The caller's unsaved changes to the plan are
    flushed first, so they go along instead of being lost; only the plan's row is locked, never the assignment
    or content loaded with it (FOR UPDATE OF plans)."""
    db.session.flush()
    plan_id = plan.id  # read before the expiry, which would make reading it a query of its own
    db.session.expire(plan)  # its versions and other relations are read again when next asked for
    db.session.execute(db.select(Plan).where(Plan.id == plan_id).with_for_update(of=Plan)
                       .options(*_locked_with()).execution_options(populate_existing=True)).scalars().one()


@functools.cache
def case_summary():
    """Loads a plan's case version with only its name, languages and fingerprint: what pages and changes of state
    look at (the plan's language, the stored hints, the kept case panels), not the case's documents."""
    return joinedload(Plan.case_version).load_only(CaseVersion.person_name, CaseVersion.languages,
                                                   CaseVersion.fingerprint)


@functools.cache
def _locked_with() -> tuple:
    """Read in the same round trip as the locked row (and not locked): what every change of state looks at next,
    the assignment (due date, cohort) and the case's name and languages (the plan's language, the stored hints)."""
    return joinedload(Plan.assignment), case_summary()


def submit(plan: Plan, actor, save_token: int | None = None) -> PlanVersion:
    """Freeze the draft as the next version. A retried or double submit of the same draft returns the same version."""
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who writes this plan can submit it."))
    # Hold the plan's row until the commit: a save from another tab waits, so the token checked below belongs to
    # the very draft that is frozen (without the lock a save landing now would leave a stale draft submitted).
    lock(plan)
    latest = plan.latest_version
    if (plan.state != PlanState.draft and latest is not None and latest.withdrawn_at is None
            and save_token is not None and latest.draft_token == save_token):
        return latest  # the first click already did it
    if save_token is not None and (not is_db_int(save_token) or save_token != plan.save_token):
        raise DraftConflict(plan)
    if plan.state == PlanState.draft and word_count(plan.draft) == 0:
        raise ValidationError(_("The plan is empty. Write something before you submit."))
    assignment = plan.assignment
    now = utcnow()
    if assignment.closed_at is not None:
        raise ValidationError(_("This assignment is closed; no new submissions are accepted."))
    late = assignment.is_past_due(now)
    if late and not assignment.allow_late:
        raise ValidationError(_("The due date (%(date)s) has passed and this assignment does not accept late "
                                "submissions. Your draft is kept; talk to your course leader.",
                                date=format_moment(assignment.due_at)))
    number = (latest.number if latest else 0) + 1
    try:
        workflow.apply(plan, PlanAction.submit, actor, version=number, late=late)
    except InvalidTransition:
        # Two clicks at the same moment: the other request froze this very draft; answer with its version.
        db.session.expire(plan)
        latest = plan.latest_version
        if latest is not None and latest.withdrawn_at is None and latest.draft_token == plan.save_token:
            return latest
        raise
    version = PlanVersion(plan_id=plan.id, number=number, content=copy.deepcopy(plan.draft),
                          word_count=word_count(plan.draft), draft_token=plan.save_token, submitted_at=now,
                          submitted_by_id=actor.id, late=late, language=plan_language(plan))
    _store_hints(version, plan)
    db.session.add(version)
    db.session.flush()
    plan.versions.append(version) if version not in plan.versions else None
    from app.reviews.services import on_submitted

    on_submitted(plan, version)
    return version


def withdraw(plan: Plan, actor) -> PlanVersion:
    latest = plan.latest_version
    workflow.apply(plan, PlanAction.withdraw, actor, version=latest.number if latest else None)
    assert latest is not None  # only a submitted plan can be withdrawn: apply refused any other
    latest.withdrawn_at = utcnow()
    db.session.flush()
    return latest


def plan_language(plan: Plan) -> str:
    languages = plan.case_version.languages
    locale = (plan.student.locale if plan.student else None) or "en"
    return locale if locale in languages else languages[0]


def _store_hints(version: PlanVersion, plan: Plan) -> None:
    """Each version keeps the language hints it had, so progress can be followed across versions."""
    from app.language.services import dismissals_for, hints_for_plan

    version.hints = hints_for_plan(version.content, version.language, plan.case_version.person_name,
                                   dismissals_for(plan.id))


def student_assignments(user) -> list[tuple[Assignment, Plan | None]]:
    """The assignments of every cohort where the user is a student, with their plan when it exists."""
    rows = db.session.execute(_student_assignments_query(), {"user_id": user.id}).all()
    return [(assignment, plan) for assignment, plan in rows]


@functools.cache
def _student_assignments_query():
    """Built once (the home page asks on every visit); each request only binds the user."""
    user_id: BindParameter[int] = bindparam("user_id")
    return (
        db.select(Assignment, Plan)
        # What the cards show: the cohort's name, the case's title, the plan's state and number of versions; not
        # the assignment's instructions, the case's documents or the plan's text.
        .options(defer(Assignment.instructions), joinedload(Assignment.cohort),
                 joinedload(Assignment.case_version).load_only(CaseVersion.title, CaseVersion.languages),
                 defer(Plan.draft), undefer(Plan.version_count))
        .join(Membership, (Membership.cohort_id == Assignment.cohort_id) & (Membership.user_id == user_id)
              & (Membership.role == Role.student))
        .outerjoin(Plan, (Plan.assignment_id == Assignment.id) & (Plan.student_id == user_id))
        .order_by(Assignment.due_at, Assignment.id))
