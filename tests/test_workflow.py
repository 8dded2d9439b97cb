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
