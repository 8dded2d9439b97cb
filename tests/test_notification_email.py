"""Each person chooses on their account page which notifications also come by e-mail; in the app they always come.
Course leaders' notice of plans waiting for a reviewer is e-mailed only when chosen; students' and reviewers'
notices are e-mailed unless turned off."""
from __future__ import annotations

import re

from app.cohorts.models import Role
from app.db import db
from app.notifications import services as notification_services
from app.notifications.models import EmailChoice, Notification
from app.plans import services as plan_services
from app.plans import workflow
from app.plans.states import PlanState
from app.plans.workflow import PlanAction
from app.reviews import services as review_services
from tests.conftest import login, outbox, post
from tests.factories import AssignmentFactory, UserFactory, member
from tests.plan_helpers import GOOD_CONTENT, World


def notices(user, kind):
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id,
                                                                 Notification.kind == kind)))


def mails(user, kind):
    return [m for m in outbox(user.email) if m.kind == f"notification.{kind}"]


def submit_new_plan(assignment, name):
    student = member(assignment.cohort, Role.student, name=name)
    plan = plan_services.start_plan(assignment, student)
    db.session.flush()
    plan_services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, student, plan.save_token)
    db.session.commit()
    return plan


def test_a_leader_is_e_mailed_about_waiting_plans_only_after_choosing_it(app, client):
    assignment = AssignmentFactory(title="Anna")
    leader = member(assignment.cohort, Role.leader, name="Lena Leader")
    db.session.commit()
    submit_new_plan(assignment, "Siri Student")
    assert len(notices(leader, "waiting")) == 1 and mails(leader, "waiting") == []  # in the app only, by default

    login(client, leader.email)
    page = client.get("/account").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="email_waiting"[^>]*>', page).group(0)
    assert "checked" not in box
    assert 'for="email_waiting">Plans are waiting for a reviewer (course leaders)</label>' in page
    assert "email_released" not in page  # a leader is not offered a student's notices
    response = post(client, "/account/notifications", {"email_waiting": "y", "email_reassigned": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#email-title")
    page = client.get("/account").get_data(as_text=True)
    assert "Your e-mail choices are saved." in page
    assert "checked" in re.search(r'<input[^>]*name="email_waiting"[^>]*>', page).group(0)

    submit_new_plan(assignment, "Per Person")
    (mail,) = mails(leader, "waiting")
    assert "Per Person" in mail.subject and len(notices(leader, "waiting")) == 2
    assert f"{app.config['BASE_URL'].rstrip('/')}/account#email-title" in mail.body  # where to change it

    post(client, "/account/notifications", {})  # every box unticked
    submit_new_plan(assignment, "Kari Kvist")
    assert len(mails(leader, "waiting")) == 1 and len(notices(leader, "waiting")) == 3


def test_students_are_e_mailed_their_feedback_until_they_turn_it_off(app, client):
    world = World()
    world.to_state(PlanState.in_review)
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Warm and concrete.")
    review_services.release(world.plan, world.reviewer)
    db.session.commit()
    assert len(mails(world.owner, "released")) == 1  # as before: on by default

    login(client, world.owner.email)
    page = client.get("/account").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="email_released"[^>]*>', page).group(0)
    assert "email_waiting" not in page and "email_reassigned" not in page
    post(client, "/account/notifications", {"email_completed": "y"})  # feedback by e-mail: off
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, GOOD_CONTENT)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()
    workflow.apply(world.plan, PlanAction.start_review, world.reviewer)
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Second round.")
    review_services.release(world.plan, world.reviewer)
    db.session.commit()
    assert len(notices(world.owner, "released")) == 2 and len(mails(world.owner, "released")) == 1


def test_reviewers_are_e_mailed_as_before(app):
    world = World()
    world.to_state(PlanState.submitted)
    review_services.allocate(world.plan, world.reviewer, world.leader)
    db.session.commit()
    assert len(mails(world.reviewer, "reassigned")) == 1 and len(notices(world.reviewer, "reassigned")) == 1
    review_services.allocate(world.plan, world.instructor, world.leader)
    db.session.commit()
    assert len(mails(world.reviewer, "unassigned")) == 1 and len(mails(world.instructor, "reassigned")) == 1


def test_only_the_kinds_offered_are_changed_and_the_choices_are_kept_per_person(app, client):
    world = World()
    notification_services.set_email_choices(world.owner, {"waiting": True})  # from a time they led a cohort
    db.session.commit()
    login(client, world.owner.email)
    post(client, "/account/notifications", {})
    chosen = notification_services.email_choices(world.owner)
    assert chosen["waiting"] is True and chosen["released"] is False and chosen["completed"] is False
    assert notification_services.email_choices(world.other_student)["released"] is True
    assert db.session.scalar(db.select(db.func.count(EmailChoice.id)).where(
        EmailChoice.user_id == world.other_student.id)) == 0


def test_someone_without_a_role_is_offered_every_kind(app, client):
    person = UserFactory()
    db.session.commit()
    login(client, person.email)
    page = client.get("/account").get_data(as_text=True)
    for choice in notification_services.EMAIL_CHOICES:
        assert f'name="email_{choice.kind}"' in page


def test_a_save_without_the_form_token_changes_nothing(app, client):
    world = World()
    login(client, world.leader.email)
    response = client.post("/account/notifications", data={"email_waiting": "y"})
    assert response.status_code == 400
    assert notification_services.email_choices(world.leader)["waiting"] is False


def test_the_choices_speak_norwegian(app, client):
    world = World()
    login(client, world.leader.email)
    post(client, "/locale", {"locale": "nb"})
    page = client.get("/account").get_data(as_text=True)
    assert "Varsler på e-post" in page and "Planer venter på veileder (emneansvarlige)" in page
    assert "Lagre e-postvalg" in page
    post(client, "/account/notifications", {"email_waiting": "y"})
    assert "E-postvalgene dine er lagret." in client.get("/account").get_data(as_text=True)


def test_the_e_mail_tells_in_norwegian_where_to_choose(app):
    world = World()
    world.owner.locale = "nb"
    world.to_state(PlanState.in_review)
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Varm og konkret.")
    review_services.release(world.plan, world.reviewer)
    db.session.commit()
    (mail,) = mails(world.owner, "released")
    assert "Du velger selv hvilke varsler som også kommer på e-post:" in mail.body


def test_every_notification_mail_fits_the_outbox_record():
    """A notice e-mailed as `notification.<kind>` is kept in the outbox; PostgreSQL refuses a kind longer than its
    column, which would lose the notice and the action that sent it."""
    from app.mail.models import OutboxMessage
    from app.notifications.models import Notification as NotificationModel

    outbox_width = OutboxMessage.__table__.c.kind.type.length
    notice_width = NotificationModel.__table__.c.kind.type.length
    for choice in notification_services.EMAIL_CHOICES:
        assert len(f"notification.{choice.kind}") <= outbox_width, choice.kind
        assert len(choice.kind) <= notice_width, choice.kind
