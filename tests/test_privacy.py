"""Personal data: a person downloads their data; an administrator anonymises or deletes an account."""
from __future__ import annotations

import json

from app.audit.models import AuditEntry
from app.auth.models import User
from app.cohorts.models import Membership
from app.db import db
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.reviews import services as review_services
from app.reviews.models import Review
from tests.conftest import login, post
from tests.factories import PASSWORD, UserFactory
from tests.plan_helpers import World


def reviewed_world():
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    review_services.save_review(plan, world.reviewer, scores={"voice": {"level": "solid", "comment": "Her words"}},
                                overall="Kind and clear.")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    return world


def test_student_downloads_their_data(client, app):
    world = reviewed_world()
    login(client, world.owner.email)
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == world.owner.email
    version = data["plans"][0]["versions"][0]
    assert version["content"]["goals"][0]["text"] == "I want my own flat"
    assert version["feedback"]["overall"] == "Kind and clear."
    assert data["memberships"][0]["role"] == "student"
    assert "password" not in json.dumps(data["account"]).lower()
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "user.data_exported")).actor_id == world.owner.id


def test_unreleased_feedback_is_not_in_the_download(client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    review_services.save_review(plan, world.reviewer, scores={}, overall="Not yet released")
    db.session.commit()
    login(client, world.owner.email)
    assert "Not yet released" not in client.get("/account/data").get_data(as_text=True)


def test_admin_anonymises_a_student_and_statistics_stay(client, make_client, app):
    world = reviewed_world()
    admin = UserFactory(is_admin=True)
    login(client, admin.email)
    student_id, old_name, old_email = world.owner.id, world.owner.name, world.owner.email
    ask = post(client, f"/admin/users/{student_id}/anonymise")
    assert "Anonymise this account?" in ask.get_data(as_text=True)
    assert post(client, f"/admin/users/{student_id}/anonymise", {"confirmed": "yes"}).status_code == 302
    user = db.session.get(User, student_id)
    assert user.name != old_name and "Former participant" in user.name and user.password_hash is None
    assert old_email != user.email
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == 1
    assert db.session.scalar(db.select(db.func.count(PlanVersion.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "user.anonymised")).actor_id == admin.id
    # the old credentials no longer work
    assert login(make_client(), old_email, PASSWORD).status_code == 200


def test_admin_deletes_an_account_keeping_the_records(client, app):
    world = reviewed_world()
    admin = UserFactory(is_admin=True)
    login(client, admin.email)
    assert post(client, f"/admin/users/{world.owner.id}/delete", {"confirmed": "yes"}).status_code == 302
    assert db.session.scalar(db.select(Membership).where(Membership.user_id == world.owner.id)) is None
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "user.deleted")) is not None
    # the only course leader of a cohort cannot be deleted
    r = post(client, f"/admin/users/{world.leader.id}/delete", {"confirmed": "yes"}, follow_redirects=True)
    assert "only course leader" in r.get_data(as_text=True)


def test_only_administrators_manage_people(client, app):
    world = World()
    login(client, world.leader.email)
    assert client.get("/admin/users").status_code == 403
    assert post(client, f"/admin/users/{world.owner.id}/anonymise", {"confirmed": "yes"}).status_code == 403
    db.session.refresh(world.owner)
    assert world.owner.password_hash


def test_the_people_page_shows_each_persons_roles_by_cohort(client, app):
    import re

    world = World()
    admin = UserFactory(is_admin=True)
    db.session.commit()
    login(client, admin.email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<th scope="col">Roles</th>' in page

    def row(name: str) -> str:
        match = re.search(r"<tr>((?:(?!</tr>).)*" + re.escape(name) + r"(?:(?!</tr>).)*)</tr>", page, re.S)
        assert match, name
        return match.group(1)

    assert world.cohort.name in row("Lena Leader") and "course leader" in row("Lena Leader")
    assert world.cohort.name in row("Olga Owner") and "student" in row("Olga Owner")
    assert "instructor" in row("Ivar Instructor") and "course leader" not in row("Ivar Instructor")
