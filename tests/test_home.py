"""The home page: each person's next steps in each of their roles, and nothing of anyone else's."""
from __future__ import annotations

from app.cohorts.models import Role
from app.db import db
from app.plans import services
from app.plans.states import PlanState
from tests.conftest import QueryCounter, login
from tests.factories import AssignmentFactory, member
from tests.plan_helpers import GOOD_CONTENT, World


def _submitted_plan(world: World, student) -> None:
    plan = services.start_plan(world.assignment, student)
    db.session.flush()
    services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
    services.submit(plan, student, plan.save_token)
    db.session.commit()


def test_a_student_finds_their_plan_and_its_next_step_on_the_home_page(client, app):
    world = World(title="Plan for Anna")
    world.to_state(PlanState.returned)
    login(client, world.owner.email)
    home = client.get("/").get_data(as_text=True)
    assert "Your plans" in home and "Plan for Anna" in home
    assert "Next: read the feedback, reflect, and revise your plan." in home and ">1 version<" in home
    assert f'href="/plans/{world.plan.id}"' in home and f'href="/plans/{world.plan.id}/feedback"' in home
    assert client.get(f"/plans/{world.plan.id}/feedback").status_code == 200
    assert "Your reviews" not in home and "Assignments you lead" not in home


def test_a_student_sees_only_their_own_plan_and_can_start_one_from_home(client, app):
    world = World(title="Plan for Anna")
    login(client, world.other_student.email)
    home = client.get("/").get_data(as_text=True)
    assert "Start my plan" in home and f'href="/plans/{world.plan.id}"' not in home
    assert f'action="/assignments/{world.assignment.id}/plan"' in home


def test_a_student_can_read_the_case_from_home_before_starting_a_plan(client, app):
    world = World(title="Plan for Anna")
    login(client, world.other_student.email)
    home = client.get("/").get_data(as_text=True)
    case_url = f"/assignments/{world.assignment.id}/case"
    assert f'href="{case_url}"' in home and "Read the case" in home
    assert home.index(f'href="{case_url}"') < home.index("Start my plan")
    assert client.get(case_url).status_code == 200


def test_an_instructor_sees_how_many_plans_wait_for_them_and_for_anyone(client, app):
    world = World()
    world.to_state(PlanState.in_review)  # allocated to the reviewer
    _submitted_plan(world, world.other_student)  # waits for someone to claim it
    login(client, world.reviewer.email)
    home = client.get("/").get_data(as_text=True)
    assert "You have 1 plan to review." in home and "1 plan waits for a reviewer." in home
    assert 'href="/reviews"' in home and "Your plans" not in home
    login(client, world.instructor.email)
    home = client.get("/").get_data(as_text=True)
    assert "You have no plans to review right now." in home and "1 plan waits for a reviewer." in home
    # an instructor of another cohort is told of neither
    stranger = member(AssignmentFactory().cohort, Role.instructor)
    login(client, stranger.email)
    home = client.get("/").get_data(as_text=True)
    assert "You have no plans to review right now." in home and "waits for a reviewer" not in home


def test_a_course_leader_reaches_progress_and_allocation_from_home(client, app):
    world = World(title="Plan for Anna")
    other = AssignmentFactory(title="Someone else's assignment")
    login(client, world.leader.email)
    home = client.get("/").get_data(as_text=True)
    assert "Assignments you lead" in home and "Plan for Anna" in home
    assert f'href="/assignments/{world.assignment.id}/dashboard"' in home
    assert f'href="/assignments/{world.assignment.id}/allocation"' in home
    assert "Someone else's assignment" not in home and f"/assignments/{other.id}/" not in home
    assert client.get(f"/assignments/{world.assignment.id}/dashboard").status_code == 200


def test_the_home_page_speaks_norwegian(client, app):
    world = World(title="Plan for Anna")
    world.owner.locale = "nb"
    db.session.commit()
    login(client, world.owner.email)
    home = client.get("/").get_data(as_text=True)
    assert "Dine planer" in home and "Your plans" not in home


def test_the_home_page_reads_a_few_statements_however_many_roles_and_assignments(client, app):
    world = World()
    for _ in range(4):
        AssignmentFactory(cohort=world.cohort)
    login(client, world.leader.email)
    with QueryCounter() as leader_count:
        assert client.get("/").status_code == 200
    login(client, world.owner.email)
    with QueryCounter() as student_count:
        assert client.get("/").status_code == 200
    assert leader_count.count <= 3 and student_count.count <= 3


def test_my_plans_is_in_the_menu_of_students_and_newcomers_not_of_those_who_only_teach(client, app):
    from tests.factories import UserFactory

    world = World()
    menu_link = '<a href="/plans">'
    for person, shown in ((world.owner, True), (world.reviewer, False), (world.leader, False),
                          (UserFactory(), True)):
        login(client, person.email)
        assert (menu_link in client.get("/cohorts/").get_data(as_text=True)) is shown, person.name
    # someone who teaches one cohort and studies in another writes plans too
    from tests.factories import MembershipFactory

    MembershipFactory(cohort=AssignmentFactory().cohort, user=world.reviewer, role=Role.student)
    db.session.commit()
    login(client, world.reviewer.email)
    assert menu_link in client.get("/cohorts/").get_data(as_text=True)


def test_an_administrator_without_cohorts_is_led_to_administration_not_to_a_join_code(client, app):
    from tests.factories import UserFactory

    admin = UserFactory(is_admin=True)
    db.session.commit()
    login(client, admin.email)
    home = client.get("/").get_data(as_text=True)
    assert "Administration" in home
    assert 'href="/cohorts/"' in home and 'href="/admin/users"' in home and 'href="/audit"' in home
    assert 'href="/lti/platforms"' in home  # the learning platforms (LMS) that launch Care Plan Lab
    assert "Join with a code" not in home and "You are not in any cohort yet." not in home
    for url in ("/cohorts/", "/admin/users", "/audit", "/lti/platforms"):
        assert client.get(url).status_code == 200


def test_a_person_without_cohorts_is_still_offered_a_join_code(client, app):
    from tests.factories import UserFactory

    person = UserFactory()
    db.session.commit()
    login(client, person.email)
    home = client.get("/").get_data(as_text=True)
    assert "Join with a code" in home and "Administration" not in home
