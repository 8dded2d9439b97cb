"""The plan's events in the audit log: every transition is recorded (who, when, the action, from and to), named for
the log's filter, and read as a sentence ("Plan by Kari: Submitted → In review, version 2")."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.assignments.models import Assignment
from app.audit.events import Context, describe_events, describe_subject
from app.audit.services import record
from app.auth.models import User
from app.db import db
from app.plans.models import Plan
from app.plans.signals import plan_transitioned, second_opinion_transitioned
from app.plans.states import SecondOpinionState, label_of


@plan_transitioned.connect
def record_the_transition(plan, *, action, actor, source, target, details, **_extra) -> None:
    record(f"plan.{action.value}", actor=actor, cohort_id=plan.assignment.cohort_id, subject=plan,
           action=action.value, **{"from": source.value, "to": target.value}, **details)


@second_opinion_transitioned.connect
def record_the_second_opinion_step(plan, *, opinion, action, actor, source, target, details, **_extra) -> None:
    record(f"second_opinion.{action.name}", actor=actor, cohort_id=plan.assignment.cohort_id, subject=plan,
           action=action.value, second_opinion_id=opinion.id, rater_id=opinion.rater_id,
           **{"from": source.value if source else None, "to": target.value}, **details)


def _describe_second_opinion(entry, context: Context) -> str:
    data = entry.data or {}
    student, _title = context.subject(entry) or (_("a deleted plan"), "")
    try:
        state = SecondOpinionState(data.get("to")).label
    except ValueError:
        state = str(data.get("to"))
    text = _("Plan by %(student)s: %(state)s", student=student, state=state)
    if data.get("version"):
        text += ", " + _("version %(n)s", n=data["version"])
    if data.get("rater_id"):
        text += ", " + _("second instructor %(name)s", name=context.person(data, "rater_id"))
    return text


def _describe(entry, context: Context) -> str:
    data = entry.data or {}
    student, _title = context.subject(entry) or (_("a deleted plan"), "")
    if data.get("from") == data.get("to"):
        text = _("Plan by %(student)s", student=student)
    else:
        text = _("Plan by %(student)s: %(from)s → %(to)s", student=student,
                 **{"from": label_of(data.get("from")), "to": label_of(data.get("to"))})
    if data.get("version"):
        text += ", " + _("version %(n)s", n=data["version"])
    if entry.kind in ("plan.allocate", "plan.claim") and data.get("reviewer_id"):
        text += ", " + _("reviewer %(name)s", name=context.person(data, "reviewer_id"))
        if data.get("previous_reviewer_id"):
            text += " " + _("(was %(name)s)", name=context.person(data, "previous_reviewer_id"))
    if data.get("late"):
        text += ", " + _("late")
    return text


def _names(plan_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each plan as its student's name and its assignment's title."""
    rows = db.session.execute(db.select(Plan.id, User.name, Assignment.title)
                              .join(User, User.id == Plan.student_id)
                              .join(Assignment, Assignment.id == Plan.assignment_id)
                              .where(Plan.id.in_(plan_ids)))
    return {plan_id: (name, title) for plan_id, name, title in rows}


describe_events("plan.", _l("All plan transitions"), {
    "plan.submit": _l("Plan submitted"),
    "plan.withdraw": _l("Plan withdrawn"),
    "plan.allocate": _l("Reviewer allocated or changed"),
    "plan.claim": _l("Plan claimed by an instructor"),
    "plan.start_review": _l("Review started"),
    "plan.release": _l("Feedback released"),
    "plan.revise": _l("Revision started"),
    "plan.complete": _l("Plan completed"),
}, _describe, person_keys=("reviewer_id", "previous_reviewer_id"))
describe_subject("plan", _names, owners=lambda: db.select(Plan.id, Plan.student_id))
describe_events("second_opinion.", _l("Second opinions"), {
    "second_opinion.request": _l("Second opinion requested"),
    "second_opinion.submit": _l("Second opinion submitted"),
    "second_opinion.resolve": _l("Second opinion decided"),
    "second_opinion.cancel": _l("Second opinion cancelled"),
}, _describe_second_opinion, person_keys=("rater_id",))
