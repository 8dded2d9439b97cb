"""The plan's workflow: the only place that changes a plan's state.

One table says, for every action, from which states it may happen, the state it leads to, and who may do it.
`apply()` checks both, changes the state with a conditional UPDATE (so two requests racing for the same
transition cannot both win) and writes an audit record of who, when, the action, from and to."""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class PlanState(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    returned = "returned"
    completed = "completed"


class PlanAction(str, enum.Enum):
    submit = "submit"
    withdraw = "withdraw"
    allocate = "allocate"
    claim = "claim"
    start_review = "start_review"
    release = "release"
    revise = "revise"
    complete = "complete"


STATE_LABELS = {
    PlanState.draft: _l("Draft"),
    PlanState.submitted: _l("Submitted"),
    PlanState.in_review: _l("In review"),
    PlanState.returned: _l("Feedback returned"),
    PlanState.completed: _l("Completed"),
}

ACTION_LABELS = {
    PlanAction.submit: _l("submit"),
    PlanAction.withdraw: _l("withdraw"),
    PlanAction.allocate: _l("allocate a reviewer"),
    PlanAction.claim: _l("claim"),
    PlanAction.start_review: _l("start the review"),
    PlanAction.release: _l("release feedback"),
    PlanAction.revise: _l("revise"),
    PlanAction.complete: _l("complete"),
}


# --- who may act -------------------------------------------------------------------------------------------

def _role(plan, actor):
    from app.cohorts.policies import role_in

    return role_in(actor, plan.assignment.cohort_id)


def is_owner(plan, actor) -> bool:
    return getattr(actor, "id", None) is not None and plan.student_id == actor.id


def is_leader(plan, actor) -> bool:
    from app.cohorts.models import Role

    return _role(plan, actor) == Role.leader


def is_cohort_instructor(plan, actor) -> bool:
    from app.cohorts.models import Role

    return _role(plan, actor) == Role.instructor


def is_reviewer(plan, actor) -> bool:
    return plan.reviewer_id is not None and plan.reviewer_id == getattr(actor, "id", None)


def _any(*checks: Callable) -> Callable:
    return lambda plan, actor: any(check(plan, actor) for check in checks)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: PlanState
    allowed: Callable
    who: object  # label for messages


S = PlanState
TRANSITIONS: dict[PlanAction, Transition] = {
    PlanAction.submit: Transition(frozenset({S.draft}), S.submitted, is_owner, _l("the student")),
    PlanAction.withdraw: Transition(frozenset({S.submitted}), S.draft, is_owner, _l("the student")),
    PlanAction.allocate: Transition(frozenset({S.submitted}), S.submitted, is_leader, _l("a course leader")),
    PlanAction.claim: Transition(frozenset({S.submitted}), S.submitted, is_cohort_instructor,
                                 _l("an instructor of the cohort")),
    PlanAction.start_review: Transition(frozenset({S.submitted}), S.in_review, is_reviewer,
                                        _l("the allocated reviewer")),
    PlanAction.release: Transition(frozenset({S.in_review}), S.returned, is_reviewer, _l("the reviewer")),
    PlanAction.revise: Transition(frozenset({S.returned}), S.draft, is_owner, _l("the student")),
    PlanAction.complete: Transition(frozenset({S.in_review}), S.completed, _any(is_reviewer, is_leader),
                                    _l("the reviewer or a course leader")),
}


def can(plan, action: PlanAction, actor) -> bool:
    """Whether the actor may take this action now (used by templates to show or hide buttons)."""
    transition = TRANSITIONS[PlanAction(action)]
    return plan.state in transition.sources and bool(transition.allowed(plan, actor))


def allowed_actions(plan, actor) -> list[PlanAction]:
    return [action for action in PlanAction if can(plan, action, actor)]


def apply(plan, action: PlanAction, actor, **details) -> PlanState:
    """Carry out one transition, or raise and change nothing. Flushes; the caller commits."""
    from sqlalchemy.orm.attributes import set_committed_value

    from app.audit.services import record
    from app.db import db, rowcount, utcnow
    from app.errors import InvalidTransition, NotPermitted
    from app.plans.models import Plan

    action = PlanAction(action)
    transition = TRANSITIONS[action]
    source = plan.state
    if not transition.allowed(plan, actor):
        raise NotPermitted(_("Only %(who)s can %(action)s this plan.", who=transition.who,
                             action=ACTION_LABELS[action]))
    if source not in transition.sources:
        raise InvalidTransition(_("A plan that is \"%(state)s\" cannot be %(action)s. Nothing was changed.",
                                  state=STATE_LABELS[source], action=_past(action)))
    changed = rowcount(db.session.execute(
        db.update(Plan)
        .where(Plan.id == plan.id, Plan.state == source)
        .values(state=transition.target, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ))
    if changed != 1:
        db.session.refresh(plan)
        raise InvalidTransition(_("Someone changed this plan at the same moment (it is now \"%(state)s\"). "
                                  "Nothing was changed; reload to see it.", state=STATE_LABELS[plan.state]))
    set_committed_value(plan, "state", transition.target)
    record(f"plan.{action.value}", actor=actor, cohort_id=plan.assignment.cohort_id, subject=plan,
           action=action.value, **{"from": source.value, "to": transition.target.value}, **details)
    return transition.target


def _past(action: PlanAction) -> str:
    return {
        PlanAction.submit: _("submitted"),
        PlanAction.withdraw: _("withdrawn"),
        PlanAction.allocate: _("allocated"),
        PlanAction.claim: _("claimed"),
        PlanAction.start_review: _("taken into review"),
        PlanAction.release: _("released"),
        PlanAction.revise: _("revised"),
        PlanAction.complete: _("completed"),
    }[action]
