"""A finished course for the demo's course leader to look back on: twenty students who wrote, got feedback and
revised, so the progress dashboard shows turnaround, rubric movement and the language learning curve.

The "Demo cohort" itself keeps one student in each state; this is a second cohort, built once (idempotent)."""
from __future__ import annotations

import copy
import random
from datetime import timedelta

from app.assignments.models import Assignment
from app.auth.models import user_by_email
from app.auth.services import create_user
from app.cases.models import Case
from app.cohorts.models import Cohort, Role
from app.cohorts.services import add_member, create_cohort
from app.db import db, utcnow
from app.demo.plans import FULL_PLAN
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.states import PlanState
from app.reviews import services as reviews
from app.reviews.models import Review
from app.rubrics.models import Rubric

HISTORY_COHORT = "Demo cohort: last term"
HISTORY_ASSIGNMENT = "Individual plan for Anna (last term)"
FIRST_NAMES = ["Aksel", "Brage", "Cecilie", "Dina", "Emil", "Frida", "Gustav", "Hedda", "Iver", "Julie",
               "Kasper", "Live", "Magnus", "Nora", "Oskar", "Pia", "Runa", "Sindre", "Tiril", "Vetle"]
# What first drafts often say, and what they say once the feedback has been read.
FIRST_WORDS = [
    "Pt is an addict who denies her drinking. She must stay clean and be compliant with treatment.",
    "Anna is an alcoholic and claims she wants a flat. She must attend every appointment or lose her place.",
    "The patient admits she relapsed and is non-compliant with medication. She needs to stay clean.",
    "Anna is a substance abuser with poor insight. She must accept treatment before she gets housing.",
]
SECOND_WORDS = [
    "I want to live safely, in a place of my own, with Luna. She says she drinks less when her days have a rhythm.",
    "Anna wants a flat where Luna can live with her; she has been clean since March and says Luna keeps her going.",
    "Anna says she started drinking again on leave, told the staff herself and came back on time.",
]
LEVELS = ["not_yet", "emerging", "solid", "exemplary"]


def _content(what_matters: str) -> dict:

    content = copy.deepcopy(FULL_PLAN)
    content["sections"]["what_matters"] = what_matters
    return content


def load_history(people: dict) -> list[str]:
    """Build the finished course once; later runs leave it as it is."""
    if db.session.scalar(db.select(Cohort.id).where(Cohort.name == HISTORY_COHORT)) is not None:
        return [f"Cohort '{HISTORY_COHORT}' (already there)"]
    anna = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == "ip-default"))
    if anna is None or rubric is None:
        return []

    leader, admin = people["leader@example.org"], people["admin@example.org"]
    instructors = [people["instructor1@example.org"], people["instructor2@example.org"]]
    cohort = create_cohort(HISTORY_COHORT, "A finished course, to see what the progress page shows.", actor=admin)
    add_member(cohort, leader, Role.leader, actor=admin)
    for instructor in instructors:
        add_member(cohort, instructor, Role.instructor, actor=leader)
    criteria = rubric.latest.criterion_keys()
    now = utcnow()
    start = now - timedelta(days=70)
    assignment = Assignment(cohort_id=cohort.id, title=HISTORY_ASSIGNMENT, case_version_id=anna.latest.id,
                            rubric_version_id=rubric.latest.id, opens_at=start, due_at=now + timedelta(days=1),
                            review_due_at=now + timedelta(days=2), allow_late=True, created_by_id=leader.id)
    db.session.add(assignment)
    db.session.flush()
    rng = random.Random(2026)
    students = []
    for index, first_name in enumerate(FIRST_NAMES, start=1):
        email = f"history{index:02d}@example.org"
        user = user_by_email(email) or create_user(email, f"{first_name} Demo", None, actor=admin)
        add_member(cohort, user, Role.student, actor=leader)
        students.append(user)
    # rounds of feedback each student went through, and where they stand now
    story = ["completed2"] * 6 + ["returned2"] * 3 + ["review2"] * 2 + ["submitted2"] * 2 + ["revising"] * 3 \
        + ["submitted1"] * 2 + ["draft"] + ["none"]
    for index, (student, path) in enumerate(zip(students, story)):
        if path == "none":
            continue
        instructor = instructors[index % 2]
        plan = plan_services.start_plan(assignment, student)
        db.session.flush()
        plan_services.save_draft(plan, student, plan.save_token, _content(FIRST_WORDS[index % len(FIRST_WORDS)]))
        if path == "draft":
            continue
        plan_services.submit(plan, student, plan.save_token)
        if path == "submitted1":
            continue
        first_level = rng.randint(0, 1)
        reviews.allocate(plan, instructor, leader)
        reviews.save_review(plan, instructor, overall="Thank you. Read the plan aloud as if Anna were in the room.",
                            scores={key: {"level": LEVELS[min(3, first_level + rng.randint(0, 1))]}
                                    for key in criteria})
        reviews.release(plan, instructor)
        plan_services.save_draft(plan, student, plan.save_token,
                                 _content(SECOND_WORDS[index % len(SECOND_WORDS)]))
        if path == "revising":
            continue
        plan_services.submit(plan, student, plan.save_token)
        if path == "submitted2":
            continue
        reviews.save_review(plan, instructor, overall="Her goals are hers now, in her words.",
                            scores={key: {"level": LEVELS[min(3, first_level + 1 + rng.randint(0, 1))]}
                                    for key in criteria})
        if path == "completed2":
            reviews.complete(plan, instructor)
        elif path == "returned2":
            reviews.release(plan, instructor)
    db.session.flush()
    _spread_over_the_term(assignment, start, rng)
    return [f"Cohort '{HISTORY_COHORT}': {len(students)} students, revised plans and feedback"]


def _spread_over_the_term(assignment, start, rng: random.Random) -> None:
    """The work was done over weeks, not in a second: move submissions and releases back in time."""

    now = utcnow()
    for plan in db.session.scalars(db.select(Plan).where(Plan.assignment_id == assignment.id)):
        moment = start + timedelta(days=rng.uniform(10, 25))
        for version in plan.versions:
            version.submitted_at = moment
            version.late = moment > now - timedelta(days=40)
            review = db.session.scalar(db.select(Review).where(Review.plan_version_id == version.id))
            if review is not None and review.released_at is not None:
                review.released_at = moment + timedelta(hours=rng.uniform(18, 24 * 9))
                moment = review.released_at + timedelta(days=rng.uniform(3, 10))
            else:
                moment += timedelta(days=rng.uniform(3, 10))
        if plan.state == PlanState.draft and plan.versions:
            plan.draft_saved_at = min(now, moment)
    assignment.due_at = now - timedelta(days=40)
    assignment.review_due_at = now - timedelta(days=20)
    assignment.closed_at = None
    db.session.flush()
