"""Helpers to build plans in a given state for tests."""
from __future__ import annotations

from app.cohorts.models import Role
from app.db import db
from app.plans import services, workflow
from app.plans.content import MAX_FIELD_CHARS, MAX_ROWS, MAX_SECTION_CHARS, TEXT_SECTIONS
from app.plans.workflow import PlanAction, PlanState
from tests.factories import AssignmentFactory, member

GOOD_CONTENT = {
    "sections": {"what_matters": "I want a home of my own with Luna.", "strengths": "I cook well.",
                 "network": "My sister Hilde.", "coordinator": "Lene Hauge, addiction counsellor.",
                 "crisis_plan": "Call Hilde.", "evaluation": "Every three months.", "consent": "GP and NAV may share."},
    "goals": [{"id": "g1", "text": "I want my own flat", "timeframe": "by 1 October"}],
    "measures": [{"id": "m1", "what": "Housing application", "service": "Housing office", "role": "Case worker",
                  "due": "15 June", "goal_id": "g1"}],
}


class World:
    """A cohort with an assignment, two students, two instructors and a leader."""

    def __init__(self, **assignment_fields):
        self.assignment = AssignmentFactory(**assignment_fields)
        cohort = self.assignment.cohort
        self.cohort = cohort
        self.owner = member(cohort, Role.student, name="Olga Owner")
        self.other_student = member(cohort, Role.student, name="Otto Other")
        self.reviewer = member(cohort, Role.instructor, name="Rita Reviewer")
        self.instructor = member(cohort, Role.instructor, name="Ivar Instructor")
        self.leader = member(cohort, Role.leader, name="Lena Leader")
        self.plan = services.start_plan(self.assignment, self.owner)
        db.session.commit()

    def write(self, content=None):
        services.save_draft(self.plan, self.owner, self.plan.save_token, content or GOOD_CONTENT)
        db.session.commit()

    def to_state(self, state: PlanState):
        plan = self.plan
        if plan.state == PlanState.draft and state != PlanState.draft:
            if not plan.draft["sections"]["what_matters"]:
                self.write()
            services.submit(plan, self.owner, plan.save_token)
        if state in (PlanState.in_review, PlanState.returned, PlanState.completed):
            workflow.apply(plan, PlanAction.allocate, self.leader, reviewer=self.reviewer)
            workflow.apply(plan, PlanAction.start_review, self.reviewer)
        if state == PlanState.returned:
            workflow.apply(plan, PlanAction.release, self.reviewer)
        if state == PlanState.completed:
            workflow.apply(plan, PlanAction.complete, self.reviewer)
        db.session.commit()
        assert plan.state == state
        return plan


def markdown_table(chars: int, columns: int = 4) -> str:
    """A Markdown table as long as fits in `chars` characters: many small cells, what rendering finds hardest."""
    header = "| " + " | ".join(f"H{c}" for c in range(columns)) + " |\n" + "|---" * columns + "|\n"
    rows, n = [header], 0
    length = len(header)
    while True:
        row = "| " + " | ".join(f"r{n}" for _c in range(columns)) + " |\n"
        if length + len(row) > chars:
            return "".join(rows)
        rows.append(row)
        length += len(row)
        n += 1


def largest_content(section_chars: int = MAX_SECTION_CHARS - 10, field_chars: int = MAX_FIELD_CHARS - 10) -> dict:
    """The largest plan a student can save: every section a Markdown table just under its limit, the most goals
    and measures, every field just under its limit."""
    words = ("I want a home of my own with Luna, and to cook for my sister again. " * 40)[:field_chars]
    goals = [{"id": f"g{n}", "text": words, "timeframe": words} for n in range(MAX_ROWS)]
    measures = [{"id": f"m{n}", "what": words, "service": words, "role": words, "due": words, "goal_id": f"g{n}"}
                for n in range(MAX_ROWS)]
    return {"sections": {key: markdown_table(section_chars) for key in TEXT_SECTIONS}, "goals": goals,
            "measures": measures}
