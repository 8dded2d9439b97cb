"""Reminders on the schedule: a student whose plan is due within two days and not submitted is reminded once; a
reviewer whose reviews are past the review date is reminded at most once a day. Both in the app, and by e-mail per
the person's choice."""
from __future__ import annotations

from datetime import timedelta

from app.cohorts.models import Role
from app.db import db, utcnow
from app.notifications import services as notification_services
from app.notifications.models import Notification
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reminders import services
from app.reminders.tasks import due_soon, overdue_reviews
from tests.conftest import login, outbox
from tests.factories import member
from tests.plan_helpers import World


def notices(user, kind):
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id,
                                                                 Notification.kind == kind)))


def mails(user, kind):
    return [m for m in outbox(user.email) if m.kind == f"notification.{kind}"]


def test_a_student_whose_plan_is_not_submitted_is_reminded_two_days_before_once(app):
    now = utcnow()
    world = World(due_at=now + timedelta(days=3), review_due_at=now + timedelta(days=10), title="Anna at home")
    world.to_state(PlanState.submitted)  # Olga submitted; Otto has not started
    late_starter = member(world.cohort, Role.student, name="Dina Draft")
    plan_services.start_plan(world.assignment, late_starter)
    db.session.commit()

    assert services.remind_due_soon(now) == 0  # three days before: not yet
    assert services.remind_due_soon(now + timedelta(days=1, minutes=1)) == 2
    assert services.remind_due_soon(now + timedelta(days=1, hours=5)) == 0  # never twice
    assert due_soon() == 0

    for student in (world.other_student, late_starter):
        [note] = notices(student, "due_soon")
        text = notification_services.message_for(note.kind, note.params)
        assert text.startswith("Your plan for Anna at home is due ") and text.endswith("and is not submitted yet.")
        [mail] = mails(student, "due_soon")
        assert "Anna at home" in mail.subject
    assert notices(world.owner, "due_soon") == [] and notices(world.reviewer, "due_soon") == []


def test_no_reminder_after_the_due_date_or_for_a_closed_assignment(app):
    now = utcnow()
    world = World(due_at=now + timedelta(days=1), review_due_at=now + timedelta(days=10))
    assert services.remind_due_soon(now + timedelta(days=2)) == 0  # already past
    world.assignment.closed_at = now
    db.session.commit()
    assert services.remind_due_soon(now) == 0


def test_a_student_who_turned_the_e_mail_off_is_reminded_in_the_app_only(app):
    now = utcnow()
    world = World(due_at=now + timedelta(days=1), review_due_at=now + timedelta(days=10))
    notification_services.set_email_choices(world.owner, {"due_soon": False})
    db.session.commit()
    services.remind_due_soon(now)
    assert len(notices(world.owner, "due_soon")) == 1 and mails(world.owner, "due_soon") == []
    assert len(mails(world.other_student, "due_soon")) == 1


def test_a_reviewer_is_reminded_of_overdue_reviews_at_most_once_a_day(app, client):
    now = utcnow()
    world = World(due_at=now + timedelta(hours=1), review_due_at=now + timedelta(days=2), title="Anna at home")
    world.to_state(PlanState.in_review)
    db.session.commit()

    assert services.remind_overdue_reviews(now) == 0  # the review date has not passed
    day_after = now + timedelta(days=3)
    assert services.remind_overdue_reviews(day_after) == 1
    assert services.remind_overdue_reviews(day_after + timedelta(minutes=5)) == 0  # once that day
    assert services.remind_overdue_reviews(day_after + timedelta(days=1)) == 1  # and again the next

    notes = notices(world.reviewer, "review_overdue")
    assert len(notes) == 2 and len(mails(world.reviewer, "review_overdue")) == 2
    assert notification_services.message_for("review_overdue", notes[0].params) == \
        "1 plan you review in Anna at home is past its review date."
    assert notices(world.instructor, "review_overdue") == []  # not theirs to review

    login(client, world.reviewer.email)
    response = client.get(f"/notifications/{notes[0].id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reviews")


def test_a_released_review_is_not_overdue(app):
    now = utcnow()
    world = World(due_at=now + timedelta(hours=1), review_due_at=now + timedelta(days=2))
    world.to_state(PlanState.returned)
    db.session.commit()
    assert services.remind_overdue_reviews(now + timedelta(days=3)) == 0
    assert overdue_reviews() == 0


def test_the_account_page_offers_the_reminders(app, client):
    world = World()
    login(client, world.owner.email)
    page = client.get("/account").get_data(as_text=True)
    assert "My plan is due in two days and not submitted yet" in page
    assert "Plans I review are past their review date" not in page
    login(client, world.reviewer.email)
    page = client.get("/account").get_data(as_text=True)
    assert "Plans I review are past their review date (at most once a day)" in page


def test_without_a_broker_a_scheduled_entry_runs_by_hand(app):
    now = utcnow()
    world = World(due_at=now + timedelta(days=1), review_due_at=now + timedelta(days=10))
    result = app.test_cli_runner().invoke(args=["jobs", "run", "reminders-due-soon"])
    assert result.exit_code == 0 and "reminders.due_soon ran." in result.output
    db.session.expire_all()
    assert len(notices(world.owner, "due_soon")) == 1
    listed = app.test_cli_runner().invoke(args=["jobs", "schedule"]).output
    assert "reminders-overdue-reviews: reminders.overdue_reviews" in listed
    assert app.test_cli_runner().invoke(args=["jobs", "run", "nothing"]).exit_code != 0
