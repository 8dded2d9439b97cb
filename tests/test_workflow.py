"""The workflow table, checked for every state, action and role against the product's table."""
from __future__ import annotations

import pytest

from app.audit.models import AuditEntry
from app.db import db
from app.errors import InvalidTransition, NotPermitted
from app.plans import workflow
from app.plans.workflow import PlanAction, PlanState
from tests.plan_helpers import World

# The product's table, written out independently of the code: action -> (from, to, roles allowed)
EXPECTED = {
    "submit": ("draft", "submitted", {"owner"}),
    "withdraw": ("submitted", "draft", {"owner"}),
    "allocate": ("submitted", "submitted", {"leader"}),
    "claim": ("submitted", "submitted", {"reviewer", "instructor"}),
    "start_review": ("submitted", "in_review", {"reviewer"}),
    "release": ("in_review", "returned", {"reviewer"}),
    "revise": ("returned", "draft", {"owner"}),
    "complete": ("in_review", "completed", {"reviewer", "leader"}),
}
ROLES = ["owner", "other_student", "reviewer", "instructor", "leader"]


@pytest.mark.parametrize("state", [s.value for s in PlanState])
@pytest.mark.parametrize("action", [a.value for a in PlanAction])
@pytest.mark.parametrize("role", ROLES)
def test_transition_table(app, state, action, role):
    world = World()
    plan = world.to_state(PlanState(state))
    plan.reviewer_id = world.reviewer.id  # "reviewer" is the allocated reviewer, kept across versions
    db.session.commit()
    actor = getattr(world, role)
    source, target, allowed_roles = EXPECTED[action]
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.kind == f"plan.{action}"))
    # Allocating and claiming name the reviewer they set: the leader gives the plan to its reviewer; an instructor
    # claims it for themselves.
    reviewer = {"allocate": world.reviewer, "claim": actor}.get(action)
    if role in allowed_roles and state == source:
        assert workflow.apply(plan, PlanAction(action), actor, reviewer=reviewer) == PlanState(target)
        db.session.commit()
        db.session.refresh(plan)
        assert plan.state.value == target
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.kind == f"plan.{action}")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.actor_id == actor.id and entry.data["from"] == source and entry.data["to"] == target
        assert entry.at is not None
    else:
        expected_error = NotPermitted if role not in allowed_roles else InvalidTransition
        with pytest.raises(expected_error):
            workflow.apply(plan, PlanAction(action), actor, reviewer=reviewer)
        db.session.rollback()
        db.session.refresh(plan)
        assert plan.state.value == state  # nothing changed
        after = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.kind == f"plan.{action}"))
        assert after == before


def test_claim_needs_an_instructor_of_the_cohort_not_another_cohort(app):
    world = World()
    other = World()
    plan = world.to_state(PlanState.submitted)
    with pytest.raises(NotPermitted):
        workflow.apply(plan, PlanAction.claim, other.instructor)


# --- nobody reviews their own plan -------------------------------------------------------------------------

def _make_instructor(world, user):
    """The author's role in the plan's cohort is changed to instructor (a course leader's mistake, or a promotion)."""
    from app.cohorts.models import Membership, Role

    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id,
                                                                Membership.cohort_id == world.cohort.id))
    membership.role = Role.instructor
    db.session.commit()


def test_an_author_made_instructor_cannot_claim_their_own_plan(app):
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    _make_instructor(world, world.owner)
    assert not workflow.can(plan, PlanAction.claim, world.owner)
    with pytest.raises(NotPermitted):
        review_services.claim(plan, world.owner)
    db.session.rollback()
    db.session.refresh(plan)
    assert plan.reviewer_id is None and plan.state == PlanState.submitted


def test_a_leader_cannot_allocate_a_plan_to_its_author(app):
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    _make_instructor(world, world.owner)
    with pytest.raises(NotPermitted):
        review_services.allocate(plan, world.owner, world.leader)
    with pytest.raises(NotPermitted):
        workflow.apply(plan, PlanAction.allocate, world.leader, reviewer=world.owner)
    db.session.rollback()
    db.session.refresh(plan)
    assert plan.reviewer_id is None


def test_allocating_all_never_chooses_the_author(app):
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    _make_instructor(world, world.owner)  # the author now has the fewest open reviews (none), and the lowest id
    done = review_services.allocate_all(world.assignment, world.leader)
    db.session.commit()
    assert [(p.id, r.id) for p, r in done] == [(plan.id, world.reviewer.id)]


def test_an_author_allocated_their_own_plan_earlier_can_neither_review_release_nor_complete_it(app):
    """A plan given to its author before this rule existed: the author can take none of the reviewer's steps."""
    from app.errors import NotPermitted as Refused
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    _make_instructor(world, world.owner)
    plan.reviewer_id = world.owner.id
    db.session.commit()
    for action in (PlanAction.start_review, PlanAction.release, PlanAction.complete):
        assert not workflow.can(plan, action, world.owner)
    with pytest.raises(Refused):
        review_services.save_review(plan, world.owner, scores={}, overall="Great plan, if I say so myself.")
    db.session.rollback()
    with pytest.raises(Refused):
        workflow.apply(plan, PlanAction.start_review, world.owner)
    db.session.rollback()
    plan.state = PlanState.in_review
    db.session.commit()
    for action in (PlanAction.release, PlanAction.complete):
        with pytest.raises(Refused):
            workflow.apply(plan, action, world.owner)
        db.session.rollback()
    db.session.refresh(plan)
    assert plan.state == PlanState.in_review
