"""Demo calibration: two plans from last term's cohort (their students agreed) as calibration plans on the demo
assignment, with the course leader's references and both instructors' submitted calibration reviews, so the progress
page shows whether the reviewers agree and the reviewers' page has figures. Built once (idempotent)."""
from __future__ import annotations

from app.assignments.models import Assignment
from app.calibration import queries, services
from app.db import db
from app.demo.dashboard import HISTORY_ASSIGNMENT
from app.demo.plans import DEMO_ASSIGNMENT
from app.plans.models import Plan, PlanVersion

TITLES = ("Calibration plan A", "Calibration plan B")
COMMENTS = {
    "solid": "Most of the plan is in Anna's words; a few lines still speak about her rather than with her.",
    "emerging": "The plan names what services will do; say what Anna wants first, then who helps her get there.",
}


def load_demo_calibration(people: dict, cohort) -> list[str]:
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.cohort_id == cohort.id,
                                                               Assignment.title == DEMO_ASSIGNMENT))
    if assignment is None:
        return []
    if queries.plans_of(assignment.id):
        return ["Calibration plans (already there)"]
    versions = list(db.session.scalars(
        db.select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id)
        .join(Assignment, Assignment.id == Plan.assignment_id)
        .where(Assignment.title == HISTORY_ASSIGNMENT, PlanVersion.number == 1).order_by(PlanVersion.id).limit(2)))
    if len(versions) < 2:
        return []
    leader = people["leader@example.org"]
    first, second = people["instructor1@example.org"], people["instructor2@example.org"]
    criteria = assignment.rubric_version.criterion_keys()
    plans = [
        # (reference, instructor1, instructor2), per criterion
        {key: ("solid", "solid", "emerging" if i % 2 == 0 else "solid") for i, key in enumerate(criteria)},
        {key: ("emerging", "emerging" if i % 3 else "solid", "not_yet" if i % 2 == 0 else "emerging")
         for i, key in enumerate(criteria)},
    ]
    for title, version, levels in zip(TITLES, versions, plans):
        services.demo_calibration(
            assignment, leader, version, title,
            reference={key: (ref, COMMENTS.get(ref, "")) for key, (ref, _a, _b) in levels.items()},
            reviews={first: {key: a for key, (_r, a, _b) in levels.items()},
                     second: {key: b for key, (_r, _a, b) in levels.items()}})
    services.set_required(assignment, leader, True)
    return ["Calibration plans A and B with references; instructor1 and instructor2 have calibrated"]
