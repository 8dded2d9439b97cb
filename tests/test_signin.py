"""What a request's sign-in knows about the person (their language, unread count and roles, read with the account),
and what it leaves on their account: nothing but the account's own columns."""
from __future__ import annotations

from flask import request, request_finished
from sqlalchemy import inspect as sa_inspect

from app.auth.models import User
from app.cohorts import policies
from app.cohorts import services as cohort_services
from app.cohorts.models import Role
from app.db import db
from app.notifications import services as notifications
from app.plans.states import PlanState
from app.signin import load_user, signed_in_as
from tests.conftest import QueryCounter, login
from tests.factories import CohortFactory
from tests.plan_helpers import World


def test_no_page_sets_attributes_on_the_accounts_it_reads(app, make_client):
    """The sign-in and the policies keep what they learn about a person for the request (`SignedIn` in `g`), never
    on the account: whatever a page has read, every account in the session has only its mapped attributes."""
    world = World()
    world.to_state(PlanState.in_review)
    notifications.notify(world.owner, "released", world.plan, version=1)
    db.session.commit()
    extra: dict[str, set[str]] = {}
    account_attributes = {*sa_inspect(User).attrs.keys(), "_sa_instance_state"}

    def check_accounts(sender, response, **_):
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, User):
                extra.setdefault(request.path, set()).update(set(vars(obj)) - account_attributes)

    plan, cohort, assignment = world.plan.id, world.cohort.id, world.assignment.id
    pages = {world.owner: ["/", "/plans", f"/plans/{plan}", "/cohorts/", "/notifications/", "/account"],
             world.reviewer: ["/", "/reviews", f"/plans/{plan}/review"],
             world.leader: ["/", f"/cohorts/{cohort}", f"/assignments/{assignment}/dashboard",
                            f"/assignments/{assignment}/allocation", "/library"]}
    request_finished.connect(check_accounts, app)
    try:
        for person, urls in pages.items():
            client = make_client()
            login(client, person.email)
            for url in urls:
                assert client.get(url).status_code == 200, url
    finally:
        request_finished.disconnect(check_accounts, app)
    assert extra and not any(extra.values()), extra


def test_the_person_signed_in_has_their_roles_from_the_sign_in_and_anyone_else_from_the_database(app):
    world = World()
    elsewhere = CohortFactory()
    db.session.commit()
    with app.test_request_context():
        leader = load_user(world.leader.get_id())
        assert signed_in_as(leader).roles_by_cohort == {world.cohort.id: Role.leader}
        with QueryCounter() as counter:
            assert policies.role_in(leader, world.cohort) == Role.leader and policies.teaches_anywhere(leader)
            assert notifications.unread_count(leader) == 0
        assert counter.count == 0
        # Someone else: asked of the database, each time.
        owner, cohort_id, elsewhere_id = world.owner, world.cohort.id, elsewhere.id
        assert owner.id
        with QueryCounter() as counter:
            assert policies.role_in(owner, cohort_id) == Role.student
            assert policies.writes_plans(owner) and not policies.teaches_anywhere(owner)
            assert policies.role_in(owner, elsewhere_id) is None
        assert counter.count == 4 and all("FROM memberships" in sql for sql in counter.statements)
        # A change of the signed-in person's memberships is seen by the next question, then known again.
        cohort_services.add_member(elsewhere, leader, Role.student, actor=world.leader)
        assert policies.role_in(leader, elsewhere) == Role.student and policies.writes_plans(leader)
        with QueryCounter() as counter:
            assert policies.role_in(leader, elsewhere) == Role.student
        assert counter.count == 0
        # So is a notification read.
        notifications.notify(leader, "completed")
        notifications.mark_all_read(leader)
        assert notifications.unread_count(leader) == 0
        notifications.notify(leader, "completed")
        assert notifications.unread_count(leader) == 1
        db.session.rollback()
    assert signed_in_as(world.leader) is None  # nothing of the request's sign-in outlives it
