"""Demo plans on the Anna case, one student in each state of the workflow."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.assignments.models import Assignment
from app.auth.models import user_by_email
from app.cases.models import Case
from app.db import db, utcnow
from app.plans import queries as plan_queries
from app.plans import services as plan_services
from app.plans.states import REVIEW_STARTED, PlanState
from app.reviews.second_opinions import demo_second_opinion
from app.reviews.services import demo_answers, demo_review
from app.rubrics.models import Rubric

DEMO_ASSIGNMENT = "Individual plan for Anna"

FIRST_DRAFT = {
    "sections": {
        "what_matters": "I want a safe place to live where I can have my dog Luna with me again.\n\n"
                        "I want my days to have a rhythm: getting up, walking Luna, cooking.",
        "strengths": "Anna is a trained cook and ran the morning shift in a canteen for years. "
                     "She has her sister Hilde, and a peer group she found during treatment.",
        "network": "", "coordinator": "", "crisis_plan": "", "evaluation": "", "consent": "",
    },
    "goals": [{"id": "g1", "text": "I want my own flat where Luna can live with me", "timeframe": "by autumn"}],
    "measures": [{"id": "m1", "what": "Complete the housing application", "service": "Housing office",
                  "role": "Case worker", "due": "", "goal_id": "g1"}],
}

FULL_PLAN: dict[str, Any] = {
    "sections": {
        "what_matters": "I want to live safely, in a place of my own, with Luna.\n\n"
                        "I want structure in my days, and to feel that I am in charge of my drinking, not the other way round.\n\n"
                        "I want to see Jonas again.",
        "strengths": "- Trained cook; ran the morning shift at the shipyard canteen\n- Hilde, my sister, who is looking after Luna\n"
                     "- The Tuesday peer group and Siv, the peer worker\n- I said myself when I slipped on leave, and came back on time",
        "network": "Hilde (sister) may be contacted. Siv (peer worker) may be contacted. My mother and Rune are not to be contacted.",
        "coordinator": "Lene Hauge, addiction counsellor in Fjordvik municipality, is my coordinator. She calls me every Monday.",
        "crisis_plan": "Early signs: I stop sleeping, I stop answering the phone, letters pile up.\n\n"
                       "What helps: a walk with Luna, talking to Hilde, going to the Tuesday group.\n\n"
                       "Who to call: Hilde (day), Lene Hauge (weekdays), the emergency clinic 116 117 (night).",
        "evaluation": "Every three months with Lene, Hilde and me; first time on 1 September.",
        "consent": "I agree that my GP, Lene and NAV share what they need to follow this plan. Nothing goes to Rune.",
    },
    "goals": [
        {"id": "g1", "text": "I want my own flat where Luna can live with me", "timeframe": "by 1 October"},
        {"id": "g2", "text": "I want to work in a kitchen again, a few mornings a week", "timeframe": "within six months"},
        {"id": "g3", "text": "I want to meet Jonas on his birthday", "timeframe": "2 October"},
    ],
    "measures": [
        {"id": "m1", "what": "Finish the housing application with the missing income papers", "service": "Housing office",
         "role": "Case worker", "due": "15 June", "goal_id": "g1"},
        {"id": "m2", "what": "Send the income statement to the housing office", "service": "NAV", "role": "Adviser (Sara Amini)",
         "due": "10 June", "goal_id": "g1"},
        {"id": "m3", "what": "Mornings in the café kitchen at Møteplassen, with Siv", "service": "Peer support",
         "role": "Peer worker", "due": "from 1 July, twice a week", "goal_id": "g2"},
        {"id": "m4", "what": "Help me write to Jonas and plan the visit", "service": "Addiction counselling",
         "role": "Coordinator", "due": "by 1 September", "goal_id": "g3"},
    ],
}


def load_demo_plans(people: dict, cohort) -> list[str]:
    anna = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == "ip-default"))
    if anna is None or rubric is None:
        return ["(no demo plans: import the content first with `flask content import`)"]
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.cohort_id == cohort.id,
                                                               Assignment.title == DEMO_ASSIGNMENT))
    now = utcnow()
    if assignment is None:
        assignment = Assignment(cohort_id=cohort.id, title=DEMO_ASSIGNMENT, case_version_id=anna.latest.id,
                                rubric_version_id=rubric.latest.id, opens_at=now - timedelta(days=14),
                                due_at=now + timedelta(days=14), review_due_at=now + timedelta(days=28),
                                allow_late=True, created_by_id=people["leader@example.org"].id,
                                instructions="Write Anna's individual plan with her, from the case documents.")
        db.session.add(assignment)
        db.session.flush()
    leader, instructor = people["leader@example.org"], people["instructor1@example.org"]
    wanted = {
        "student1@example.org": PlanState.draft, "student2@example.org": PlanState.submitted,
        "student3@example.org": PlanState.in_review, "student4@example.org": PlanState.returned,
        "student5@example.org": PlanState.completed,
    }
    lines = [f"Assignment '{assignment.title}' on the Anna case"]
    for email, state in wanted.items():
        student = people[email]
        plan = plan_queries.plan_of(assignment, student)
        if plan is None:
            plan = plan_services.start_plan(assignment, student)
            db.session.flush()
            content = FIRST_DRAFT if state == PlanState.draft else FULL_PLAN
            plan_services.save_draft(plan, student, plan.save_token, content)
            if state != PlanState.draft:
                plan_services.submit(plan, student, plan.save_token)
            if state in REVIEW_STARTED:
                _review(plan, leader, instructor, state)
            if state == PlanState.returned:
                demo_answers(plan, student)
            if state == PlanState.in_review and "instructor2@example.org" in people:
                # a second opinion two levels away on the measures, waiting for the course leader's decision
                demo_second_opinion(plan, leader, people["instructor2@example.org"])
        lines.append(f"{email:<26} plan {plan.state.value}")
    lines.append(f"{'student6@example.org':<26} not started")
    return lines


def reset_demo_plans(cohort) -> int:
    """Delete the plans of the demo cohort's assignment with everything hanging on them, so they can be rebuilt."""
    from app.language.models import HintDismissal
    from app.notifications.models import Notification
    from app.plans.models import Plan, PlanVersion
    from app.reviews.models import (
        AnchoredComment,
        CriterionScore,
        FeedbackReply,
        Reflection,
        Review,
        RevisionIntention,
        SecondOpinion,
        SecondOpinionScore,
    )

    assignment_ids = db.select(Assignment.id).where(Assignment.cohort_id == cohort.id, Assignment.title == DEMO_ASSIGNMENT)
    plan_ids = list(db.session.scalars(db.select(Plan.id).where(Plan.assignment_id.in_(assignment_ids))))
    if not plan_ids:
        return 0
    review_ids = db.select(Review.id).where(Review.plan_id.in_(plan_ids))
    opinion_ids = db.select(SecondOpinion.id).where(SecondOpinion.plan_id.in_(plan_ids))
    for model, clause in ((SecondOpinionScore, SecondOpinionScore.second_opinion_id.in_(opinion_ids)),
                          (SecondOpinion, SecondOpinion.plan_id.in_(plan_ids)),
                          (FeedbackReply, FeedbackReply.review_id.in_(review_ids)),
                          (RevisionIntention, RevisionIntention.plan_id.in_(plan_ids)),
                          (CriterionScore, CriterionScore.review_id.in_(review_ids)),
                          (AnchoredComment, AnchoredComment.review_id.in_(review_ids)),
                          (Reflection, Reflection.plan_id.in_(plan_ids)),
                          (Review, Review.plan_id.in_(plan_ids)),
                          (Notification, Notification.plan_id.in_(plan_ids)),
                          (HintDismissal, HintDismissal.plan_id.in_(plan_ids)),
                          (PlanVersion, PlanVersion.plan_id.in_(plan_ids)),
                          (Plan, Plan.id.in_(plan_ids))):
        db.session.execute(db.delete(model).where(clause).execution_options(synchronize_session=False))
    db.session.expire_all()
    return len(plan_ids)


def _review(plan, leader, instructor, target: PlanState) -> None:
    demo_review(plan, leader, instructor, target)


def people_by_email(emails) -> dict:
    return {email: user_by_email(email) for email in emails}
