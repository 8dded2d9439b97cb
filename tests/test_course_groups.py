"""Course groups -> cohorts: a course leader maps an FS course group to a cohort; at each sign-in the groups API
(mocked with `responses`) tells which groups the person is in, roles are added, and removed when the person has
left the group. Roles given by hand, plans and reviews are never touched."""
from __future__ import annotations

import re

import pytest
import responses

from app.auth.models import user_by_email
from app.cohorts.models import Membership, Role
from app.db import db
from app.oidc import groups
from app.oidc.models import GroupMapping
from tests.conftest import login, post
from tests.factories import CohortFactory, member
from tests.oidc_helpers import sign_in_with_provider

GROUPS_URL = "https://groups.example.test/groups/me/groups"
MED4500 = "fs:fc:emne:uio.no:MED4500:1"
MED4600 = "fs:fc:emne:uio.no:MED4600:1"


def course(group_id: str, affiliation: str = "student", basic: str = "member") -> dict:
    return {"id": group_id, "type": "fc:fs:emne", "displayName": "Course", "membership": {
        "basic": basic, "active": True, "affiliation": [affiliation], "fsroles": [affiliation.upper()]}}


@pytest.fixture
def groups_api(app, provider):
    """The groups API: each test says what it answers for the next sign-ins."""
    app.config["FEIDE_GROUPS_URL"] = GROUPS_URL
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(re.compile(re.escape(provider)))

        def answer(*listed, status=200):
            mock.remove(responses.GET, GROUPS_URL)
            mock.add(responses.GET, GROUPS_URL, json=list(listed), status=status)

        answer()
        yield answer, mock
    app.config["FEIDE_GROUPS_URL"] = ""


def _role(cohort, email):
    user = user_by_email(email)
    member = db.session.scalar(db.select(Membership).where(Membership.cohort_id == cohort.id,
                                                           Membership.user_id == user.id))
    return member.role if member else None


def _map(cohort, group=MED4500, student=Role.student, staff=Role.instructor):
    leader = db.session.scalar(db.select(Membership).where(Membership.cohort_id == cohort.id,
                                                           Membership.role == Role.leader)).user
    groups.add_mapping(cohort, group, student, staff, actor=leader)
    db.session.commit()


def test_students_land_in_the_cohort_with_the_right_role_and_leave_with_the_group(make_client, provider, groups_api):
    answer, mock = groups_api
    cohort = CohortFactory()
    member(cohort, Role.leader)
    _map(cohort)
    answer(course(MED4500), course("fs:fc:emne:uio.no:ANNET:1"))
    browser = make_client()
    sign_in_with_provider(browser, provider, "sub-stud", email="stud@uio.no", name="Stud Ent")
    assert _role(cohort, "stud@uio.no") == Role.student
    assert mock.calls[-1].request.headers["Authorization"].startswith("Bearer ")
    assert cohort.name in browser.get("/").get_data(as_text=True)

    answer(course(MED4500, "faculty", "admin"))
    sign_in_with_provider(make_client(), provider, "sub-stud")
    assert _role(cohort, "stud@uio.no") == Role.instructor

    answer()  # has left the course group
    sign_in_with_provider(make_client(), provider, "sub-stud")
    assert _role(cohort, "stud@uio.no") is None
    assert user_by_email("stud@uio.no") is not None  # the account stays


def test_a_role_given_by_hand_is_never_removed(make_client, provider, groups_api):
    answer, _mock = groups_api
    cohort = CohortFactory()
    member(cohort, Role.leader)
    person = member(cohort, Role.instructor, email="hand@uio.no")
    _map(cohort)
    answer(course(MED4500))
    sign_in_with_provider(make_client(), provider, "sub-hand", email="hand@uio.no", name="Hand")
    # The same address had an account: nothing happens before the password links it.
    assert _role(cohort, "hand@uio.no") == Role.instructor
    browser = make_client()
    sign_in_with_provider(browser, provider, "sub-hand")
    assert post(browser, "/login/oidc/link", {"password": "correct horse battery"}).status_code == 302
    assert _role(cohort, person.email) == Role.instructor  # not lowered to the group's student role
    answer()
    sign_in_with_provider(make_client(), provider, "sub-hand")
    assert _role(cohort, person.email) == Role.instructor  # not removed


def test_a_changed_role_by_the_leader_becomes_their_own(make_client, provider, groups_api):
    answer, _mock = groups_api
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    _map(cohort)
    answer(course(MED4500))
    sign_in_with_provider(make_client(), provider, "sub-s", email="s@uio.no", name="S")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user_by_email("s@uio.no").id))
    assert membership.source_group == MED4500
    leader_client = make_client()
    login(leader_client, leader.email)
    post(leader_client, f"/cohorts/{cohort.id}/members/{membership.id}/role", {"role": "instructor", "confirmed": "yes"})
    answer()
    sign_in_with_provider(make_client(), provider, "sub-s")
    assert _role(cohort, "s@uio.no") == Role.instructor


def test_the_groups_api_failing_changes_no_role(make_client, provider, groups_api):
    answer, _mock = groups_api
    cohort = CohortFactory()
    member(cohort, Role.leader)
    _map(cohort)
    answer(course(MED4500))
    sign_in_with_provider(make_client(), provider, "sub-f", email="f@uio.no", name="F")
    answer(status=503)
    response = sign_in_with_provider(make_client(), provider, "sub-f")
    assert response.status_code == 302
    assert _role(cohort, "f@uio.no") == Role.student


def test_the_leader_maps_and_unmaps_a_group_on_the_cohort_page(make_client, provider):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    browser = make_client()
    login(browser, leader.email)
    assert f"/cohorts/{cohort.id}/groups" in browser.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    response = post(browser, f"/cohorts/{cohort.id}/groups", {"group_id": MED4500, "student_role": "student",
                                                               "staff_role": "instructor"})
    assert response.status_code == 302
    page = browser.get(f"/cohorts/{cohort.id}/groups").get_data(as_text=True)
    assert MED4500 in page
    again = post(browser, f"/cohorts/{cohort.id}/groups", {"group_id": MED4500, "student_role": "student"})
    assert again.status_code == 400 and "already mapped" in again.get_data(as_text=True)
    neither = post(browser, f"/cohorts/{cohort.id}/groups", {"group_id": MED4600, "student_role": "",
                                                              "staff_role": ""})
    assert neither.status_code == 400 and "Choose a role" in neither.get_data(as_text=True)
    mapping = db.session.scalar(db.select(GroupMapping))
    url = f"/cohorts/{cohort.id}/groups/{mapping.id}/delete"
    assert "Stop filling" in post(browser, url).get_data(as_text=True)
    assert db.session.scalar(db.select(GroupMapping)) is not None
    assert post(browser, url, {"confirmed": "yes"}).status_code == 302
    assert db.session.scalar(db.select(GroupMapping)) is None


def test_unmapping_keeps_the_people_it_brought(make_client, provider, groups_api):
    answer, _mock = groups_api
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    _map(cohort)
    answer(course(MED4500))
    sign_in_with_provider(make_client(), provider, "sub-k", email="k@uio.no", name="K")
    groups.remove_mapping(db.session.scalar(db.select(GroupMapping)), actor=leader)
    db.session.commit()
    answer()
    sign_in_with_provider(make_client(), provider, "sub-k")
    assert _role(cohort, "k@uio.no") == Role.student


def test_membership_kinds():
    assert groups.membership_kind({"basic": "member", "affiliation": ["student"]}) == "student"
    assert groups.membership_kind({"basic": "member", "affiliation": "faculty"}) == "staff"
    assert groups.membership_kind({"basic": "admin"}) == "staff"
    assert groups.membership_kind({"basic": "member", "active": False}) is None
    assert groups.membership_kind("nonsense") is None


def test_no_other_leader_can_map_groups(make_client, provider):
    cohort, other = CohortFactory(), CohortFactory()
    outsider = member(other, Role.leader)
    browser = make_client()
    login(browser, outsider.email)
    assert browser.get(f"/cohorts/{cohort.id}/groups").status_code == 404
    student = member(cohort, Role.student)
    login(browser, student.email)
    assert browser.get(f"/cohorts/{cohort.id}/groups").status_code == 403


def test_a_membership_from_an_lms_course_is_left_to_the_course(app):
    """A person the LMS course brought into a cohort keeps that membership and role when they sign in with a
    provider whose groups say nothing of that cohort."""
    mapped, from_lms = CohortFactory(), CohortFactory()
    db.session.add(GroupMapping(cohort_id=mapped.id, group_id=MED4500, student_role=Role.student, staff_role=None))
    person = member(from_lms, Role.student)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == person.id))
    membership.source_group = "lti:7"
    db.session.commit()
    assert groups.sync_memberships(person, {MED4500: groups.STAFF}) == {"added": 0, "changed": 0, "removed": 0}
    db.session.refresh(membership)
    assert membership.role == Role.student and membership.source_group == "lti:7"
