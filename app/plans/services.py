"""Use cases of the plan: start, save the draft, submit, withdraw. Services flush; the caller commits."""
from __future__ import annotations

import copy
import functools
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.assignments.models import Assignment
from app.db import db, rowcount, utcnow
from app.errors import Conflict, InvalidTransition, NotFound, NotPermitted, ValidationError
from app.i18n import format_moment
from app.plans import conflicts, queries, workflow
from app.plans.content import ContentProblem, empty_content, normalise, word_count
from app.plans.models import Plan, PlanVersion, VersionPdf, plans_table
from app.plans.pdf import Bounds, PdfRefused, page_digest, render_bounded
from app.plans.signals import plan_submitted, submission_checked
from app.plans.states import PLAIN_EDIT, PlanState
from app.plans.workflow import EDIT_DRAFT, PlanAction
from app.urls import is_db_int


class DraftConflict(Conflict):
    """The draft was saved elsewhere since this copy was loaded. Carries the newer draft so nothing is lost."""

    def __init__(self, plan: Plan):
        super().__init__(_("This plan was saved from another tab or device. Your text and the newer text are "
                           "shown side by side: choose what to keep."))
        self.current = copy.deepcopy(plan.draft)
        self.save_token = plan.save_token
        self.saved_at = plan.draft_saved_at
        self.mine: dict | None = None  # when the refused text was itself a choice between two texts: that text


def plan_languages() -> dict[str, str]:
    """The languages a plan can be written in, by code, with their names (the app's languages: the assistant knows
    each of them)."""
    return current_app.config["LANGUAGES"]


# A language's name inside a sentence of the interface ("…are now in Norwegian Bokmål"; "…er nå på engelsk").
LANGUAGE_NAMES = {"en": lambda: _("English"), "nb": lambda: _("Norwegian Bokmål")}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES[code]() if code in LANGUAGE_NAMES else plan_languages().get(code, code)


def default_language(case_version, student) -> str:
    """A plan's language when the student does not choose one: theirs, when the case is written in it, else the
    case's first."""
    languages = case_version.languages if case_version is not None else []
    locale = getattr(student, "locale", None) or "en"
    if locale in languages or not languages:
        return locale
    return languages[0]


def _checked_language(language: str | None) -> str:
    if language is None or language not in plan_languages():
        raise ValidationError(_("Choose the plan's language: %(list)s.",
                                list=", ".join(language_name(code) for code in plan_languages())))
    return language


def start_plan(assignment: Assignment, student, language: str | None = None) -> Plan:
    """The student's plan for this assignment, created on first use (safe when two requests race), written in
    `language` (by default the student's; see `default_language`). A plan already started keeps its language."""
    existing = queries.plan_of(assignment, student)
    if existing is not None:
        return existing
    if not assignment.has_opened():
        raise NotPermitted(_("This assignment opens on %(date)s.", date=format_moment(assignment.opens_at)))
    if language is None:
        language = default_language(assignment.case_version, student)
    plan = Plan(assignment_id=assignment.id, student_id=student.id, case_version_id=assignment.case_version_id,
                rubric_version_id=assignment.rubric_version_id, draft=empty_content(),
                language=_checked_language(language))
    try:
        with db.session.begin_nested():
            db.session.add(plan)
    except IntegrityError:  # the other request made it first
        made = queries.plan_of(assignment, student)
        assert made is not None
        return made
    return plan


@functools.cache
def _save_statement(plain_edit: bool):
    """The conditional write of a draft, built once (it runs at every autosave): only over the token the client
    read, and only while the workflow's one edit rule (`EDIT_DRAFT`) holds for the person saving; it counts the
    token up and answers with what it wrote. The `plain_edit` form also asks for a plan whose save changes nothing
    but the text (a returned plan's first change is the `revise` step), so that it can skip reading the plan."""
    plans = plans_table()  # on the table: nothing in the session is synchronised, and the ORM's machinery is skipped
    conditions = [plans.c.id == bindparam("plan_id"), plans.c.save_token == bindparam("token"),
                  EDIT_DRAFT.condition(bindparam("owner_id"))]
    if plain_edit:
        conditions.append(plans.c.state.in_(sorted(PLAIN_EDIT)))
    return (db.update(plans)
            .where(*conditions)
            .values(draft=bindparam("draft", type_=plans.c.draft.type), save_token=plans.c.save_token + 1,
                    draft_saved_at=bindparam("now", type_=plans.c.draft_saved_at.type),
                    updated_at=bindparam("now", type_=plans.c.updated_at.type))
            .returning(plans.c.save_token, plans.c.state))


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
    saved = db.session.execute(_save_statement(plain_edit=True), {
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
    if not plan.state.editable:
        raise InvalidTransition(_("This plan is \"%(state)s\" and cannot be edited now.", state=plan.state.label))
    if not is_db_int(save_token):
        raise ValidationError(_("The save token is missing; reload the page."))
    now = utcnow()
    saved = db.session.execute(_save_statement(plain_edit=False), {
        "plan_id": plan.id, "token": save_token, "owner_id": actor.id, "draft": content, "now": now}).first()
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
        if not plan.state.editable:
            raise InvalidTransition(_("This plan is \"%(state)s\" and cannot be edited now.",
                                      state=plan.state.label))
        raise DraftConflict(plan)
    if plan.state == PlanState.returned:
        workflow.apply(plan, PlanAction.revise, actor)
    return plan


def resolve_conflict(plan: Plan, actor, save_token, mine_raw, theirs_raw, use: str, choices: dict) -> dict:
    """Save what the student chose after a conflict: their text (`use` "mine"), the newer text ("theirs"), or for
    each part the side chosen ("chosen"; `app.plans.conflicts`), over the token that came with the newer text.
    Answers the saved text; a newer save still raises DraftConflict, which then carries the chosen text as `mine`."""
    try:
        mine, theirs = normalise(mine_raw), normalise(theirs_raw)
    except ContentProblem as problem:
        raise ValidationError(_("The plan could not be saved: %(reason)s.", reason=str(problem))) from None
    if use == conflicts.THEIRS:
        chosen = theirs
    elif use == conflicts.MINE:
        chosen = mine
    else:
        chosen = conflicts.merge(mine, theirs, conflicts.read_choices(choices))
    try:
        save_draft(plan, actor, save_token, chosen)
    except DraftConflict as conflict:
        conflict.mine = chosen
        raise
    return chosen


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
def _locked_with() -> tuple:
    """Read in the same round trip as the locked row (and not locked): what every change of state looks at next,
    the assignment (due date, cohort) and the case's name and languages (the stored hints name the person)."""
    return joinedload(Plan.assignment), queries.case_summary()


# A plan shorter than this, or with neither a goal nor a measure, is not ready to be submitted: a care plan of a
# sentence or two gives the reviewer nothing to assess, and the student is told so before confirming.
MIN_WORDS_TO_SUBMIT = 20


def submission_problems(plan: Plan) -> list[str]:
    """Why the draft is not ready to submit, in words for the student; empty when it is ready."""
    content = plan.draft or {}
    words = word_count(content)
    if words == 0:
        return [_("The plan is empty. Write something before you submit.")]
    problems = []
    if words < MIN_WORDS_TO_SUBMIT:
        problems.append(_("The plan has only %(n)d words. Write at least %(min)d before you submit.",
                          n=words, min=MIN_WORDS_TO_SUBMIT))
    has_goal = any((row.get("text") or "").strip() for row in content.get("goals") or [])
    has_measure = any((row.get("what") or "").strip() for row in content.get("measures") or [])
    if not has_goal and not has_measure:
        problems.append(_("The plan has no goal and no measure. Add at least one before you submit."))
    return problems


def submission_warnings(plan: Plan) -> list[dict]:
    """What the student may still want to do before submitting, as the listening domains say it (the revision plan
    the reviewer will read, …): {"message", "link", "label"}. Warnings only: the plan can be submitted all the
    same."""
    return [warning for _receiver, answer in submission_checked.send(plan) for warning in answer or []]


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
    if plan.state == PlanState.draft and (problems := submission_problems(plan)):
        raise ValidationError(" ".join(problems))
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
    db.session.add(version)
    db.session.flush()
    if version not in plan.versions:
        plan.versions.append(version)
    plan_submitted.send(plan, version=version, actor=actor)
    db.session.flush()
    return version


def withdraw(plan: Plan, actor) -> PlanVersion:
    latest = plan.latest_version
    workflow.apply(plan, PlanAction.withdraw, actor, version=latest.number if latest else None)
    assert latest is not None  # only a submitted plan can be withdrawn: apply refused any other
    latest.withdrawn_at = utcnow()
    db.session.flush()
    return latest


def change_language(plan: Plan, actor, language: str | None) -> bool:
    """Write the plan in another language from now on: its hints and checks follow. The versions submitted keep the
    language they were written in. Answers whether it changed."""
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who writes this plan can change it."))
    if not plan.state.editable:
        raise InvalidTransition(_("This plan is \"%(state)s\" and cannot be edited now.", state=plan.state.label))
    language = _checked_language(language)
    if plan.language == language:
        return False
    plan.language = language
    db.session.flush()
    return True


def plan_language(plan: Plan) -> str:
    """The language the plan is written in: its hints, its checks and the language of its text on every page."""
    return plan.language


def version_status(plan: Plan, version: PlanVersion) -> str:
    """How the history names a version: withdrawn, the plan's state for the one under way, else an earlier one."""
    if version.withdrawn_at is not None:
        return _("Withdrawn")
    if version is plan.latest_version and plan.state != PlanState.draft:
        return plan.state.label
    return _("Earlier version")


# --- the PDF of a submitted version ------------------------------------------------------------------------------

def _stored_pdf(version_id: int, digest: str) -> VersionPdf | None:
    return db.session.scalar(select(VersionPdf).where(VersionPdf.version_id == version_id,
                                                      VersionPdf.html_hash == digest))


def claim_version_pdf(version: PlanVersion, html: str, *, stale_after: float,
                      retry_after: float) -> tuple[VersionPdf, bool]:
    """The stored PDF of a submitted version's printed page, and whether the caller now holds the one claim to
    render it. A page never rendered is claimed by inserting its row; a claim older than `stale_after` seconds was
    abandoned (its rendering is stopped well before that) and a failure older than `retry_after` seconds may be
    tried again: both are taken over by one conditional update, so of two requests only one renders."""
    digest = page_digest(html, current_app.static_folder or "")
    record = _stored_pdf(version.id, digest)
    if record is None:
        record = VersionPdf(version_id=version.id, html_hash=digest, html=html, state="rendering",
                            claimed_at=utcnow(), attempts=1)
        try:
            with db.session.begin_nested():
                db.session.add(record)
            return record, True
        except IntegrityError:  # another request claimed it first
            found = _stored_pdf(version.id, digest)
            assert found is not None
            return found, False
    if record.state == "ready":
        return record, False
    now = utcnow()
    taken = db.session.execute(
        update(VersionPdf)
        .where(VersionPdf.id == record.id, VersionPdf.attempts == record.attempts,
               or_(and_(VersionPdf.state == "rendering", VersionPdf.claimed_at < now - timedelta(seconds=stale_after)),
                   and_(VersionPdf.state == "failed", VersionPdf.finished_at < now - timedelta(seconds=retry_after))))
        .values(state="rendering", claimed_at=now, finished_at=None, error=None, attempts=VersionPdf.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(record)
    return record, rowcount(taken) == 1


def render_version_pdf(pdf_id: int, bounds: Bounds | None = None) -> VersionPdf:
    """Renders a claimed version PDF and stores the outcome: what a request that holds the claim does, and what a
    job queue can call. A unit of work of its own: it commits before rendering, so no transaction stays open for
    as long as the rendering runs, and commits the outcome. Raises `PdfRefused` when no PDF was made (the failure
    is stored, and tried again only after `PDF_RETRY_AFTER`)."""
    record = db.session.get(VersionPdf, pdf_id)
    if record is None:
        raise NotFound()
    if record.state != "rendering" or record.html is None:
        return record
    html, attempt = record.html, record.attempts
    db.session.commit()
    bounds = bounds or Bounds.from_config()
    mine = (VersionPdf.id == pdf_id, VersionPdf.state == "rendering", VersionPdf.attempts == attempt)
    try:
        data = render_bounded(html, current_app.static_folder or "", bounds)
    except PdfRefused as refused:
        db.session.execute(update(VersionPdf).where(*mine).values(state="failed", error=refused.reason,
                                                                  finished_at=utcnow())
                           .execution_options(synchronize_session=False))
        db.session.commit()
        raise
    db.session.execute(update(VersionPdf).where(*mine).values(state="ready", data=data, size=len(data), html=None,
                                                              finished_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire(record)
    return record


def forget_version_pdfs(plan_ids) -> None:
    """Drops the stored PDFs of these plans' versions (each is made again, from the page as it now reads, when next
    asked for): a stored file keeps the names printed in it, which must not outlive a person's anonymisation."""
    versions = select(PlanVersion.id).where(PlanVersion.plan_id.in_(plan_ids))
    db.session.execute(delete(VersionPdf).where(VersionPdf.version_id.in_(versions))
                       .execution_options(synchronize_session=False))
