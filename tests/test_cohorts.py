from __future__ import annotations

from app.audit.models import AuditEntry
from app.cohorts.models import Cohort, Membership, Role
from app.db import db
from tests.conftest import login, outbox, post
from tests.factories import CohortFactory, UserFactory, member


def test_admin_creates_a_cohort_and_appoints_a_course_leader(client):
    admin = UserFactory(is_admin=True)
    login(client, admin.email)
    response = post(client, "/cohorts/new", {"name": "MED3100 autumn", "description": "Group 4"})
    assert response.status_code == 302
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == "MED3100 autumn"))
    response = post(client, f"/cohorts/{cohort.id}/members",
                    {"email": "lena@example.org", "name": "Lena Leder", "role": "leader"})
    assert response.status_code == 302
    membership = db.session.scalar(db.select(Membership).where(Membership.cohort_id == cohort.id))
    assert membership.role == Role.leader and membership.user.email == "lena@example.org"
    invitation = outbox("lena@example.org")[-1]
    assert "/password/reset/" in invitation.body and invitation.kind == "invitation"


def test_creating_a_cohort_needs_a_name_and_keeps_the_description(client):
    admin = UserFactory(is_admin=True)
    login(client, admin.email)
    html = post(client, "/cohorts/new", {"name": "", "description": "keep me"}).get_data(as_text=True)
    assert "Give the cohort a name." in html and "keep me" in html


def test_only_administrators_create_cohorts(client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    login(client, leader.email)
    assert client.get("/cohorts/new").status_code == 403
    assert post(client, "/cohorts/new", {"name": "Mine"}).status_code == 403


def test_leader_sees_members_and_join_code(client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    student = member(cohort, Role.student, name="Sara Student")
    login(client, leader.email)
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert cohort.join_code in html and "Sara Student" in html and student.email in html


def test_student_sees_the_cohort_but_not_its_members(client):
    cohort = CohortFactory()
    student = member(cohort, Role.student)
    member(cohort, Role.student, name="Other Student")
    login(client, student.email)
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Other Student" not in html and cohort.join_code not in html


def test_non_member_gets_404_for_a_cohort(client):
    cohort = CohortFactory()
    outsider = member(CohortFactory(), Role.leader)
    login(client, outsider.email)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    assert post(client, f"/cohorts/{cohort.id}/join-code", {"confirmed": "yes"}).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client):
    cohort = CohortFactory()
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_regenerating_the_join_code_asks_first(client):
    cohort = CohortFactory()
    old = cohort.join_code
    leader = member(cohort, Role.leader)
    login(client, leader.email)
    ask = post(client, f"/cohorts/{cohort.id}/join-code")
    assert ask.status_code == 200 and "Make a new join code?" in ask.get_data(as_text=True)
    db.session.refresh(cohort)
    assert cohort.join_code == old
    done = post(client, f"/cohorts/{cohort.id}/join-code", {"confirmed": "yes"})
    assert done.status_code == 302
    db.session.refresh(cohort)
    assert cohort.join_code != old
    # the old code no longer lets anyone in
    newcomer = UserFactory()
    other = client.application.test_client()
    login(other, newcomer.email)
    assert "not valid" in post(other, "/join", {"join_code": old}).get_data(as_text=True)


def test_leader_changes_a_role_with_confirmation_and_it_is_audited(client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    student = member(cohort, Role.student, name="Ina")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    login(client, leader.email)
    url = f"/cohorts/{cohort.id}/members/{membership.id}/role"
    ask = post(client, url, {"role": "instructor"})
    assert "Change Ina from student to instructor" in ask.get_data(as_text=True)
    db.session.refresh(membership)
    assert membership.role == Role.student
    assert post(client, url, {"role": "instructor", "confirmed": "yes"}).status_code == 302
    db.session.refresh(membership)
    assert membership.role == Role.instructor
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "membership.role_changed"))
    assert entry.actor_id == leader.id and entry.data == {"user_id": student.id, "from": "student", "to": "instructor"}


def test_role_change_by_a_non_leader_is_refused(client):
    cohort = CohortFactory()
    instructor = member(cohort, Role.instructor)
    student = member(cohort, Role.student)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    for user in (instructor, student):
        c = client.application.test_client()
        login(c, user.email)
        response = post(c, f"/cohorts/{cohort.id}/members/{membership.id}/role", {"role": "leader", "confirmed": "yes"})
        assert response.status_code == 403
    db.session.refresh(membership)
    assert membership.role == Role.student


def test_the_last_course_leader_cannot_be_demoted(client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == leader.id))
    login(client, leader.email)
    response = post(client, f"/cohorts/{cohort.id}/members/{membership.id}/role",
                    {"role": "student", "confirmed": "yes"}, follow_redirects=True)
    assert "at least one course leader" in response.get_data(as_text=True)
    db.session.refresh(membership)
    assert membership.role == Role.leader


def test_roles_are_per_cohort(client):
    first, second = CohortFactory(), CohortFactory()
    person = member(first, Role.student)
    from tests.factories import MembershipFactory

    MembershipFactory(cohort=second, user=person, role=Role.instructor)
    login(client, person.email)
    html = client.get("/cohorts/").get_data(as_text=True)
    assert first.name in html and second.name in html
    assert "student" in html and "instructor" in html


def test_member_of_another_cohort_cannot_change_roles_here(client):
    cohort = CohortFactory()
    student = member(cohort, Role.student)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    other_leader = member(CohortFactory(), Role.leader)
    login(client, other_leader.email)
    response = post(client, f"/cohorts/{cohort.id}/members/{membership.id}/role", {"role": "leader", "confirmed": "yes"})
    assert response.status_code == 404


def test_leader_records_a_students_number_and_it_is_audited_without_the_number(client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    student = member(cohort, Role.student, name="Siri Student")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    login(client, leader.email)
    url = f"/cohorts/{cohort.id}/members/{membership.id}/student-number"
    response = post(client, url, {"student_number": "  s 123456 "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#member-{membership.id}")
    db.session.refresh(membership)
    assert membership.student_number == "s 123456"
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'value="s 123456"' in html and "The student number of Siri Student is saved." in html
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "membership.student_number_changed"))
    assert entry is not None and "123456" not in str(entry.data)
    assert post(client, url, {"student_number": "x" * 33}).status_code == 302
    db.session.refresh(membership)
    assert membership.student_number == "s 123456"  # too long: refused, nothing changed
    post(client, url, {"student_number": ""})
    db.session.refresh(membership)
    assert membership.student_number is None


def test_only_the_cohorts_managers_record_student_numbers(client):
    cohort = CohortFactory()
    student = member(cohort, Role.student)
    instructor = member(cohort, Role.instructor)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    url = f"/cohorts/{cohort.id}/members/{membership.id}/student-number"
    for person, status in ((student, 403), (instructor, 403), (member(CohortFactory(), Role.leader), 404)):
        login(client, person.email)
        assert post(client, url, {"student_number": "s1"}).status_code == status
    db.session.refresh(membership)
    assert membership.student_number is None
