"""The plan's workflow: the only place that changes a plan's state, or its reviewer.

One table says, for every action, from which states it may happen, the state it leads to, and who may do it.
`apply()` checks both, changes the state (and, for allocate and claim, the reviewer) with one conditional UPDATE, so
two requests racing for the same transition cannot both win, and tells `plan_transitioned` listeners (the audit log
records who, when, the action, from and to). What each state means is in `app.plans.states`."""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm.attributes import set_committed_value

from app.cohorts.models import Role
from app.cohorts.policies import role_in
from app.db import db, rowcount, utcnow
from app.errors import Conflict, InvalidTransition, NotPermitted
from app.plans.models import Plan, plans_table
from app.plans.signals import plan_transitioned, release_checked, second_opinion_transitioned
from app.plans.states import EDITABLE, PlanState, SecondOpinionState


class PlanAction(str, enum.Enum):
    submit = "submit"
    withdraw = "withdraw"
    allocate = "allocate"
    claim = "claim"
    start_review = "start_review"
    release = "release"
    revise = "revise"
    complete = "complete"


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

PAST_LABELS = {
    PlanAction.submit: _l("submitted"),
    PlanAction.withdraw: _l("withdrawn"),
    PlanAction.allocate: _l("allocated"),
    PlanAction.claim: _l("claimed"),
    PlanAction.start_review: _l("taken into review"),
    PlanAction.release: _l("released"),
    PlanAction.revise: _l("revised"),
    PlanAction.complete: _l("completed"),
}


# --- who may act -------------------------------------------------------------------------------------------

def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None) if getattr(actor, "is_authenticated", True) else None


def is_owner(plan, actor) -> bool:
    actor_id = _actor_id(actor)
    return actor_id is not None and plan.student_id == actor_id


def is_leader(plan, actor) -> bool:
    return role_in(actor, plan.assignment.cohort_id) == Role.leader


def is_cohort_instructor(plan, actor) -> bool:
    return role_in(actor, plan.assignment.cohort_id) == Role.instructor


def is_reviewer(plan, actor) -> bool:
    """The allocated reviewer, who is never the plan's author (a plan given to its author before that was refused
    has no reviewer who may act on it)."""
    return plan.reviewer_id is not None and plan.reviewer_id == _actor_id(actor) and not is_owner(plan, actor)


def _not_the_author(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Nobody reviews their own plan: a reviewing action by the plan's author is refused, whatever their role."""
    return lambda plan, actor: not is_owner(plan, actor) and check(plan, actor)


def _any(*checks: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda plan, actor: any(check(plan, actor) for check in checks)


@dataclass(frozen=True)
class OwnerRule:
    """A rule of the form "the plan's student, while the plan is in one of these states", held once and asked two
    ways: of a loaded plan (policies, templates) and as a SQL condition (a write that is its own access check)."""

    states: frozenset[PlanState]

    def holds(self, plan, actor) -> bool:
        return is_owner(plan, actor) and plan.state in self.states

    def condition(self, actor_id) -> ColumnElement[bool]:
        """The same rule for `actor_id` (a value or a bound parameter), for a WHERE clause on the plans table (in a
        query of plans through the ORM, or in a statement on the table itself)."""
        plans = plans_table()
        return and_(plans.c.student_id == actor_id, plans.c.state.in_(sorted(self.states)))


# This person may change this plan's draft now.
EDIT_DRAFT = OwnerRule(EDITABLE)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[PlanState]
    target: PlanState
    allowed: Callable[[Any, Any], bool]
    who: Any  # a lazy label for messages
    sets_reviewer: bool = False
    reviewing: bool = False  # a step of the review, never taken by (nor given to) the plan's author
    releases: bool = False  # shows the student the review: refused while anything holds it back (`release_checked`)


S = PlanState
TRANSITIONS: dict[PlanAction, Transition] = {
    PlanAction.submit: Transition(frozenset({S.draft}), S.submitted, is_owner, _l("the student")),
    PlanAction.withdraw: Transition(frozenset({S.submitted}), S.draft, is_owner, _l("the student")),
    PlanAction.allocate: Transition(frozenset({S.submitted}), S.submitted, _not_the_author(is_leader),
                                    _l("a course leader"), sets_reviewer=True, reviewing=True),
    PlanAction.claim: Transition(frozenset({S.submitted}), S.submitted, _not_the_author(is_cohort_instructor),
                                 _l("an instructor of the cohort"), sets_reviewer=True, reviewing=True),
    PlanAction.start_review: Transition(frozenset({S.submitted}), S.in_review, is_reviewer,
                                        _l("the allocated reviewer"), reviewing=True),
    PlanAction.release: Transition(frozenset({S.in_review}), S.returned, is_reviewer, _l("the reviewer"),
                                   reviewing=True, releases=True),
    PlanAction.revise: Transition(frozenset({S.returned}), S.draft, is_owner, _l("the student")),
    PlanAction.complete: Transition(frozenset({S.in_review}), S.completed, _not_the_author(_any(is_reviewer, is_leader)),
                                    _l("the reviewer or a course leader"), reviewing=True, releases=True),
}


def release_held_back(plan) -> str | None:
    """Why the feedback on the plan's version in review cannot be released now (a second opinion waits for its
    decision, …), or None."""
    reasons = [reason for _receiver, reason in release_checked.send(plan) if reason]
    return str(reasons[0]) if reasons else None


def can(plan, action: PlanAction | str, actor) -> bool:
    """Whether the actor may take this action now (templates ask it to show or hide buttons)."""
    transition = TRANSITIONS[PlanAction(action)]
    return (plan.state in transition.sources and bool(transition.allowed(plan, actor))
            and not (transition.releases and release_held_back(plan)))


def allowed_actions(plan, actor) -> list[PlanAction]:
    return [action for action in PlanAction if can(plan, action, actor)]


def _reviewer_is_author(plan, reviewer) -> bool:
    return reviewer is not None and getattr(reviewer, "id", None) == plan.student_id


def apply(plan: Plan, action: PlanAction, actor, *, reviewer=None, **details) -> PlanState:
    """Carry out one transition, or raise and change nothing. Flushes; the caller commits.

    `allocate` and `claim` name the `reviewer`; the UPDATE then also checks that the reviewer is still the one
    this request saw (none, for a claim), so of two people giving the plan a reviewer at once only one wins."""
    action = PlanAction(action)
    transition = TRANSITIONS[action]
    source = plan.state
    if transition.reviewing and (is_owner(plan, actor) or _reviewer_is_author(plan, reviewer)):
        raise NotPermitted(_("Nobody reviews their own plan: its author cannot be its reviewer. Nothing was changed."))
    if not transition.allowed(plan, actor):
        raise NotPermitted(_("Only %(who)s can %(action)s this plan.", who=transition.who,
                             action=ACTION_LABELS[action]))
    if source not in transition.sources:
        raise InvalidTransition(_("A plan that is \"%(state)s\" cannot be %(action)s. Nothing was changed.",
                                  state=source.label, action=PAST_LABELS[action]))
    if transition.releases:
        held_back = release_held_back(plan)
        if held_back:
            raise InvalidTransition(held_back)
    if transition.sets_reviewer != (reviewer is not None):
        raise ValueError(f"{action.value} {'needs' if transition.sets_reviewer else 'takes no'} reviewer")
    now = utcnow()
    values: dict[str, Any] = {"state": transition.target, "updated_at": now}
    conditions = [Plan.id == plan.id, Plan.state == source]
    if reviewer is not None:
        reviewer = reviewer._get_current_object() if hasattr(reviewer, "_get_current_object") else reviewer
        values["reviewer_id"] = reviewer.id
        seen = plan.reviewer_id
        conditions.append(Plan.reviewer_id.is_(None) if seen is None else Plan.reviewer_id == seen)
        details = {"reviewer_id": reviewer.id, **details}
    changed = rowcount(db.session.execute(db.update(Plan).where(*conditions).values(**values)
                                          .execution_options(synchronize_session=False)))
    if changed != 1:
        db.session.refresh(plan)
        if plan.state == source:
            raise Conflict(_("Someone else changed who reviews this plan at the same moment. Nothing was changed; "
                             "reload to see it."))
        raise InvalidTransition(_("Someone changed this plan at the same moment (it is now \"%(state)s\"). "
                                  "Nothing was changed; reload to see it.", state=plan.state.label))
    set_committed_value(plan, "state", transition.target)
    set_committed_value(plan, "updated_at", now)
    if reviewer is not None:
        set_committed_value(plan, "reviewer_id", reviewer.id)
        set_committed_value(plan, "reviewer", reviewer)
    plan_transitioned.send(plan, action=action, actor=actor, source=source, target=transition.target,
                           details=details)
    return transition.target


# --- a second opinion on the version in review (moderation) --------------------------------------------------
#
# A sub-state of `in_review`, kept on the second opinion itself (`SecondOpinionState`): a course leader, or the
# reviewer who is unsure, asks a second instructor to score the same version (request); they score it on their own
# (submit); the decider picks per criterion the level to release (resolve); or it is withdrawn (cancel). While one
# is requested or scored, `release` and `complete` are refused (`release_checked`, answered by the reviews domain).

class SecondOpinionAction(str, enum.Enum):
    request = "request_second_opinion"
    submit = "submit_second_opinion"
    resolve = "resolve_second_opinion"
    cancel = "cancel_second_opinion"


SECOND_OPINION_ACTION_LABELS = {
    SecondOpinionAction.request: _l("ask for a second opinion on"),
    SecondOpinionAction.submit: _l("submit the second opinion on"),
    SecondOpinionAction.resolve: _l("decide the second opinion on"),
    SecondOpinionAction.cancel: _l("cancel the second opinion on"),
}

RESOLVED_BY_LEADER = "leader"
RESOLVED_BY_REVIEWER = "reviewer"
RESOLVERS = (RESOLVED_BY_LEADER, RESOLVED_BY_REVIEWER)


def is_second_rater(plan, opinion, actor) -> bool:
    return opinion is not None and opinion.rater_id == _actor_id(actor) and not is_owner(plan, actor)


def decides_second_opinions(plan, actor) -> bool:
    """Who decides a second opinion on this plan, as its assignment says: its course leaders (the default) or its
    first reviewer."""
    if getattr(plan.assignment, "second_opinion_resolver", RESOLVED_BY_LEADER) == RESOLVED_BY_REVIEWER:
        return is_reviewer(plan, actor)
    return is_leader(plan, actor)


def _may_request(plan, opinion, actor) -> bool:
    return is_reviewer(plan, actor) or is_leader(plan, actor)


def _may_submit(plan, opinion, actor) -> bool:
    return is_second_rater(plan, opinion, actor)


def _may_resolve(plan, opinion, actor) -> bool:
    """The decider, who is never the second rater of this opinion (nobody settles a disagreement with themselves)."""
    return decides_second_opinions(plan, actor) and not is_second_rater(plan, opinion, actor)


def _may_cancel(plan, opinion, actor) -> bool:
    return (opinion is not None and opinion.requested_by_id == _actor_id(actor)) or is_leader(plan, actor)


@dataclass(frozen=True)
class OpinionTransition:
    sources: frozenset[SecondOpinionState | None]  # None: no second opinion open on the version yet
    target: SecondOpinionState
    allowed: Callable[[Any, Any, Any], bool]  # (plan, opinion, actor)
    who: Any


SO = SecondOpinionState
SECOND_OPINION_TRANSITIONS: dict[SecondOpinionAction, OpinionTransition] = {
    SecondOpinionAction.request: OpinionTransition(frozenset({None}), SO.requested, _may_request,
                                                   _l("the reviewer or a course leader")),
    SecondOpinionAction.submit: OpinionTransition(frozenset({SO.requested}), SO.scored, _may_submit,
                                                  _l("the instructor asked for the second opinion")),
    SecondOpinionAction.resolve: OpinionTransition(frozenset({SO.scored}), SO.resolved, _may_resolve,
                                                   _l("the person who decides second opinions in this assignment")),
    SecondOpinionAction.cancel: OpinionTransition(frozenset({SO.requested, SO.scored}), SO.cancelled, _may_cancel,
                                                  _l("the person who asked or a course leader")),
}
# The plan's states in which a second opinion moves at all: the version is in review, not yet released.
SECOND_OPINION_PLAN_STATES = frozenset({S.in_review})


def can_second_opinion(plan, opinion, action: SecondOpinionAction | str, actor) -> bool:
    """Whether the actor may take this step of the second opinion now (`opinion`: the open one, or None)."""
    transition = SECOND_OPINION_TRANSITIONS[SecondOpinionAction(action)]
    source = opinion.state if opinion is not None else None
    return (plan.state in SECOND_OPINION_PLAN_STATES and source in transition.sources and not is_owner(plan, actor)
            and bool(transition.allowed(plan, opinion, actor)))


def apply_second_opinion(plan, opinion, action: SecondOpinionAction, actor, **details) -> SecondOpinionState:
    """Carry out one step of a second opinion, or raise and change nothing. Flushes; the caller commits.

    `request` takes the new, not yet stored opinion (its state unset) and stores it; the other steps change its
    state with one conditional UPDATE, so of two people deciding (or cancelling) at once only one wins."""
    action = SecondOpinionAction(action)
    transition = SECOND_OPINION_TRANSITIONS[action]
    new = action == SecondOpinionAction.request
    source = None if new else SecondOpinionState(opinion.state)
    if is_owner(plan, actor):
        raise NotPermitted(_("Nobody reviews their own plan: its author cannot be its reviewer. Nothing was changed."))
    if not transition.allowed(plan, None if new else opinion, actor):
        raise NotPermitted(_("Only %(who)s can %(action)s this plan.", who=transition.who,
                             action=SECOND_OPINION_ACTION_LABELS[action]))
    if plan.state not in SECOND_OPINION_PLAN_STATES:
        raise InvalidTransition(_("A second opinion is asked for, given and decided while the plan is in review, "
                                  "before its feedback is released (it is \"%(state)s\"). Nothing was changed.",
                                  state=plan.state.label))
    if source not in transition.sources:
        raise InvalidTransition(_("This second opinion is \"%(state)s\": that step is not possible now. Nothing "
                                  "was changed; reload to see it.", state=source.label if source else ""))
    model = type(opinion)
    if new:
        opinion.state = transition.target
        db.session.add(opinion)
        db.session.flush()
    else:
        changed = rowcount(db.session.execute(
            db.update(model).where(model.id == opinion.id, model.state == source)
            .values(state=transition.target).execution_options(synchronize_session=False)))
        if changed != 1:
            db.session.refresh(opinion)
            raise InvalidTransition(_("Someone changed this second opinion at the same moment (it is now "
                                      "\"%(state)s\"). Nothing was changed; reload to see it.",
                                      state=SecondOpinionState(opinion.state).label))
        set_committed_value(opinion, "state", transition.target)
    second_opinion_transitioned.send(plan, opinion=opinion, action=action, actor=actor, source=source,
                                     target=transition.target, details=details)
    return transition.target
