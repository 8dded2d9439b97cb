"""A course leader syncs the cohort with the LMS course's members: a preview first, then the changes; and each
night the same sync by itself. Every call to the platform is answered by `responses` (nothing leaves the machine)."""
from __future__ import annotations

import re

import jwt
import responses
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db
from app.lti import roster
from app.lti.models import LtiContext
from app.lti.tool import signing_key
from app.oidc.models import Identity
from tests.conftest import login, post
from tests.factories import member
from tests.lti_helpers import (
    ADMINISTRATOR,
    INSTRUCTOR,
    LEARNER,
    MEMBERS_URL,
    TA,
    TOKEN_URL,
    known_in_lms,
    lms_course,
    lms_member,
    members_pages,
    token_endpoint,
)
from tests.plan_helpers import World


def _course_world():
    """A cohort linked to an LMS course. Tina came from the course as a student and is now a teaching assistant
    there; Lars came from the course and has left it; Olga joined with the code and is in the course; Otto joined
    with the code and is not in it."""
    world = World()
    context = lms_course(world.cohort)
    known_in_lms(world.owner, "u-olga")
    world.tina = member(world.cohort, Role.student, name="Tina Assistant")
    world.lars = member(world.cohort, Role.student, name="Lars Left")
    for person, subject in ((world.tina, "u-tina"), (world.lars, "u-lars")):
        known_in_lms(person, subject)
        db.session.scalar(select(Membership).where(Membership.user_id == person.id)).source_group = \
            f"lti:{context.id}"
    db.session.commit()
    world.context = context
    return world


def _course_members(mock):
    members_pages(mock, [
        lms_member("u-olga", "Olga Owner", [LEARNER], "olga@uni.example"),
        lms_member("u-tina", "Tina Assistant", [TA]),
        lms_member("u-nina", "Nina New", [LEARNER], "nina.new@uni.example"),
    ], [
        lms_member("u-ada", "Ada Admin", [ADMINISTRATOR, INSTRUCTOR], "ada@uni.example"),
        lms_member("u-nomail", "Hidden Person", [LEARNER]),
        lms_member("u-gone", "Gone Student", [LEARNER], "gone@uni.example", status="Inactive"),
    ])


def _role_of(cohort, user_id):
    return db.session.scalar(select(Membership.role).where(Membership.cohort_id == cohort.id,
                                                            Membership.user_id == user_id))


def test_lms_roles_become_cohort_roles():
    assert roster.role_from_lms([LEARNER], Role.instructor) == Role.student
    assert roster.role_from_lms([TA], Role.instructor) == Role.instructor
    assert roster.role_from_lms(["Instructor"], Role.leader) == Role.leader
    assert roster.role_from_lms([LEARNER, ADMINISTRATOR], Role.instructor) == Role.leader
    assert roster.role_from_lms(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], Role.instructor) is None


def test_the_leader_previews_the_course_members_then_applies_them(app, make_client):
    world = _course_world()
    client = make_client()
    login(client, world.leader.email)
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        _course_members(mock)
        page = client.get(f"/cohorts/{world.cohort.id}/lms/members")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        calls = [call.request for call in mock.calls]
    # Both pages were read with the service token; the token was asked for with the tool's signed JWT.
    token_request = calls[0]
    assert token_request.url == TOKEN_URL
    form = dict(pair.split("=", 1) for pair in token_request.body.split("&"))
    assertion = form["client_assertion"]
    assert jwt.get_unverified_header(assertion)["kid"] == signing_key().kid
    assert "contextmembership.readonly" in form["scope"]
    member_requests = [r for r in calls if r.url.startswith(MEMBERS_URL)]
    assert len(member_requests) == 2
    assert all(r.headers["Authorization"] == "Bearer service-token-1" for r in member_requests)
    assert member_requests[0].headers["Accept"] == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

    section = lambda title: re.search(rf'id="{title}".*?</section>', html, re.S).group(0)  # noqa: E731
    assert "Nina New" in section("add-title") and "Ada Admin" in section("add-title")
    assert "Olga Owner" not in section("add-title")
    assert "Tina Assistant" in section("roles-title")
    assert "Lars Left" in section("leaving-title")
    assert "Otto Other" in section("kept-title") and "Lars Left" not in section("kept-title")
    assert "Hidden Person" in section("noemail-title")
    assert "Gone Student" not in html
    # Nothing has changed yet.
    assert _role_of(world.cohort, world.lars.id) == Role.student
    assert db.session.scalar(select(User).where(User.email == "nina.new@uni.example")) is None

    fingerprint = re.search(r'name="preview" type="hidden" value="([^"]+)"', html).group(1)
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        _course_members(mock)
        response = post(client, f"/cohorts/{world.cohort.id}/lms/members", {"preview": fingerprint})
    assert response.status_code == 302
    db.session.expire_all()
    nina = db.session.scalar(select(User).where(User.email == "nina.new@uni.example"))
    ada = db.session.scalar(select(User).where(User.email == "ada@uni.example"))
    assert nina.name == "Nina New" and not nina.password_hash
    assert _role_of(world.cohort, nina.id) == Role.student
    assert _role_of(world.cohort, ada.id) == Role.leader
    assert db.session.scalar(select(Identity.user_id).where(Identity.subject == "u-nina")) == nina.id
    assert _role_of(world.cohort, world.tina.id) == Role.instructor
    assert _role_of(world.cohort, world.lars.id) is None  # left the course: removed
    assert _role_of(world.cohort, world.other_student.id) == Role.student  # added by code: kept
    assert _role_of(world.cohort, world.owner.id) == Role.student
    tina = db.session.scalar(select(Membership).where(Membership.user_id == world.tina.id))
    assert tina.source_group == f"lti:{world.context.id}"  # still the course's to change
    kinds = [entry.kind for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.cohort_id == world.cohort.id).order_by(AuditEntry.id))]
    assert kinds.count("membership.added") >= 2 and "membership.role_changed" in kinds
    assert "membership.removed" in kinds and kinds[-1] == "lti.roster_synced"
    context = db.session.get(LtiContext, world.context.id)
    assert context.roster_synced_at is not None and context.roster_error == ""

    cohort_page = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Course in Canvas: MED4500 Autumn" in cohort_page and "Members last synced" in cohort_page


def test_a_course_that_changed_after_the_preview_is_shown_again_and_nothing_is_applied(app, make_client):
    world = _course_world()
    client = make_client()
    login(client, world.leader.email)
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        _course_members(mock)
        html = client.get(f"/cohorts/{world.cohort.id}/lms/members").get_data(as_text=True)
    fingerprint = re.search(r'name="preview" type="hidden" value="([^"]+)"', html).group(1)
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        members_pages(mock, [lms_member("u-olga", "Olga Owner", [LEARNER])],
                      [lms_member("u-lars", "Lars Left", [LEARNER])])  # Lars came back, Tina left
        response = post(client, f"/cohorts/{world.cohort.id}/lms/members", {"preview": fingerprint})
    assert response.status_code == 409
    assert "changed since you looked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _role_of(world.cohort, world.tina.id) == Role.student  # nothing applied
    assert _role_of(world.cohort, world.lars.id) == Role.student


def test_the_nightly_sync_applies_the_course_and_keeps_a_failure_for_the_leader(app, make_client):
    world = _course_world()
    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        _course_members(mock)
        assert roster.sync_all_rosters() == {"synced": 1, "failed": 0}
    db.session.expire_all()
    assert _role_of(world.cohort, world.lars.id) is None
    assert _role_of(world.cohort, world.tina.id) == Role.instructor
    nina = db.session.scalar(select(User).where(User.email == "nina.new@uni.example"))
    assert _role_of(world.cohort, nina.id) == Role.student
    assert db.session.get(LtiContext, world.context.id).roster_synced_at is not None

    with responses.RequestsMock() as mock:
        token_endpoint(mock)
        mock.add(responses.GET, MEMBERS_URL, status=503, body="Canvas is down for maintenance")
        assert roster.sync_all_rosters() == {"synced": 0, "failed": 1}
    db.session.expire_all()
    context = db.session.get(LtiContext, world.context.id)
    assert "503" in context.roster_error and context.roster_error_at is not None
    assert _role_of(world.cohort, nina.id) == Role.student  # a failed sync changes nobody
    client = make_client()
    login(client, world.leader.email)
    page = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "The last sync failed" in page and "Canvas is down for maintenance" in page


def test_a_platform_that_refuses_the_token_is_explained_and_nothing_changes(app, make_client):
    world = _course_world()
    client = make_client()
    login(client, world.leader.email)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, TOKEN_URL, status=401, json={"error": "invalid_client"})
        page = client.get(f"/cohorts/{world.cohort.id}/lms/members")
    html = page.get_data(as_text=True)
    assert "The LMS did not give the course's members" in html and "invalid_client" in html
    assert "Apply these changes" not in html
    db.session.expire_all()
    assert _role_of(world.cohort, world.lars.id) == Role.student


def test_a_cohort_without_a_course_says_so(app, make_client):
    world = World()
    client = make_client()
    login(client, world.leader.email)
    page = client.get(f"/cohorts/{world.cohort.id}/lms/members").get_data(as_text=True)
    assert "not linked to a course" in page
    assert "Sync members" not in client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)


def test_only_the_cohorts_leaders_see_the_course_and_they_read_it_in_norwegian(app, make_client):
    world = _course_world()
    instructor = make_client()
    login(instructor, world.instructor.email)
    assert "Sync members" not in instructor.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    leader = make_client()
    login(leader, world.leader.email)
    post(leader, "/locale", {"locale": "nb"})
    page = leader.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Emne i Canvas: MED4500 Autumn" in page and "Synkroniser medlemmer" in page
    assert "Medlemmene er ikke synkronisert ennå." in page
