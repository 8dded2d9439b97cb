"""`flask demo load` and `flask demo load --reset`: the demo's plans are back in their documented states."""
from __future__ import annotations

from app.db import db
from app.demo.plans import DEMO_ASSIGNMENT
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.reviews.models import Review
from tests.factories import import_shipped_content

DOCUMENTED = {"student1@example.org": PlanState.draft, "student2@example.org": PlanState.submitted,
              "student3@example.org": PlanState.in_review, "student4@example.org": PlanState.returned,
              "student5@example.org": PlanState.completed}


def _states() -> dict[str, PlanState]:
    from app.assignments.models import Assignment

    db.session.expire_all()
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.title == DEMO_ASSIGNMENT))
    plans = db.session.scalars(db.select(Plan).where(Plan.assignment_id == assignment.id)).all()
    return {plan.student.email: plan.state for plan in plans}


def test_demo_load_keeps_plans_and_reset_rebuilds_them(app):
    import_shipped_content()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _states() == DOCUMENTED
    reviews_before = db.session.scalar(db.select(db.func.count()).select_from(Review))
    versions_before = db.session.scalar(db.select(db.func.count()).select_from(PlanVersion))

    plan = next(p for p in db.session.scalars(db.select(Plan)) if p.student.email == "student1@example.org")
    plan.state = PlanState.completed
    db.session.commit()

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _states()["student1@example.org"] == PlanState.completed  # without --reset nothing is touched

    result = runner.invoke(args=["demo", "load", "--reset"])
    assert result.exit_code == 0, result.output
    assert _states() == DOCUMENTED
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == reviews_before
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanVersion)) == versions_before


def test_every_demo_review_gives_a_level_for_every_criterion_of_its_rubric(app):
    import_shipped_content()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    reviews = db.session.scalars(db.select(Review)).all()
    assert len(reviews) > 10  # the demo cohort and the finished course
    for review in reviews:
        plan = db.session.get(Plan, review.plan_id)
        levels = {score.criterion_key: score.level_key for score in review.scores}
        assert set(levels) == set(plan.rubric_version.criterion_keys())
        assert None not in levels.values(), (plan.student.email, levels)
    assert "consent" in plan.rubric_version.criterion_keys()


def test_the_returned_demo_plan_shows_a_students_answers_to_feedback(app):
    """student4's feedback is answered as a student would: a question on a comment, a rating, a revision plan."""
    from app.reviews.models import FeedbackReply, RevisionIntention

    import_shipped_content()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    plan = next(p for p in db.session.scalars(db.select(Plan)) if p.student.email == "student4@example.org")
    replies = db.session.scalars(db.select(FeedbackReply).join(Review).where(Review.plan_id == plan.id)).all()
    assert [(r.kind, r.author_id) for r in replies] == [("question", plan.student_id)]
    intentions = db.session.scalars(db.select(RevisionIntention).where(RevisionIntention.plan_id == plan.id)).all()
    assert [i.criterion_key for i in intentions] == ["measures"]
    review = db.session.scalar(db.select(Review).where(Review.plan_id == plan.id))
    assert {s.criterion_key: s.helpful for s in review.scores if s.helpful} == {"language": 3}

    assert runner.invoke(args=["demo", "load", "--reset"]).exit_code == 0  # rebuilt, not doubled
    plan = next(p for p in db.session.scalars(db.select(Plan)) if p.student.email == "student4@example.org")
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackReply).join(Review)
                             .where(Review.plan_id == plan.id)) == 1


def test_the_demo_leader_sees_a_second_opinion_waiting_for_a_decision(app, make_client):
    from app.assignments.models import Assignment
    from app.auth.models import user_by_email
    from tests.conftest import login

    import_shipped_content()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.title == DEMO_ASSIGNMENT))
    plan = next(p for p in db.session.scalars(db.select(Plan)) if p.student.email == "student3@example.org")
    client = make_client()
    login(client, "leader@example.org", "demo-password")
    dashboard = client.get(f"/assignments/{assignment.id}/dashboard").get_data(as_text=True)
    assert "Second opinion differs: Concrete measures and responsibilities" in dashboard
    review = client.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "Compare and decide" in review and "Differs by two levels or more" in review
    assert user_by_email("instructor2@example.org") is not None
    assert runner.invoke(args=["demo", "load", "--reset"]).exit_code == 0
    assert _states() == DOCUMENTED
