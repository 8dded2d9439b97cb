"""LTI 1.3 launches, with the test acting as the platform: its own RSA key published at a mocked key set URL,
OIDC login initiation, and id_tokens signed with PyJWT."""
from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.auth.models import User
from app.cohorts.models import Cohort, Membership, Role
from app.db import db
from app.lti.models import LtiContext, LtiDeployment, LtiPlatform, LtiResourceLink
from app.oidc.models import Identity
from tests.conftest import login, post
from tests.factories import AssignmentFactory, UserFactory

ISSUER = "https://lms.example.edu"
CLIENT_ID = "tool-client-1"
DEPLOYMENT = "deployment-1"
KEYS_URL = "https://lms.example.edu/jwks"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"

_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PLATFORM_PEM = _PRIVATE.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
PLATFORM_JWK = {**__import__("json").loads(RSAAlgorithm.to_jwk(_PRIVATE.public_key())), "kid": "platform-key",
                "alg": "RS256", "use": "sig"}


@pytest.fixture
def platform(app):
    found = LtiPlatform(name="Test LMS", issuer=ISSUER, client_id=CLIENT_ID,
                        auth_login_url="https://lms.example.edu/auth", auth_token_url="https://lms.example.edu/token",
                        key_set_url=KEYS_URL, staff_role=Role.instructor)
    found.deployments.append(LtiDeployment(deployment_id=DEPLOYMENT))
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def lms():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(KEYS_URL, json={"keys": [PLATFORM_JWK]})
        yield mock


def start_login(client, **extra):
    params = {"iss": ISSUER, "login_hint": "hint", "client_id": CLIENT_ID, "lti1p3_new_window": "1",
              "target_link_uri": "http://127.0.0.1:5000/lti/launch", **extra}
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0], query["nonce"][0]


def claims(nonce, *, roles=(LEARNER,), sub="lms-user-1", email="nora@example.edu", message="LtiResourceLinkRequest",
           context="course-1", link="link-1", **overrides):
    now = int(time.time())
    body = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
        "email": email, "name": "Nora Berg",
        LTI + "deployment_id": DEPLOYMENT, LTI + "message_type": message, LTI + "version": "1.3.0",
        LTI + "roles": list(roles),
        LTI + "context": {"id": context, "title": "MED4500 Care planning"},
        LTI + "target_link_uri": "http://127.0.0.1:5000/lti/launch",
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": "https://lms.example.edu/api/course-1/members"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitems": "https://lms.example.edu/api/course-1/lineitems",
            "lineitem": "https://lms.example.edu/api/course-1/lineitems/7"},
    }
    if message == "LtiResourceLinkRequest":
        body[LTI + "resource_link"] = {"id": link, "title": "Care plan for Anna"}
    else:
        body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
            "deep_link_return_url": "https://lms.example.edu/deep-link-return", "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque-data"}
    body.update(overrides)
    return body


def signed(body, key=PLATFORM_PEM, kid="platform-key"):
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def launch(client, state, token):
    return client.post("/lti/launch", data={"state": state, "id_token": token})


def full_launch(client, **kwargs):
    state, nonce = start_login(client)
    return launch(client, state, signed(claims(nonce, **kwargs)))


def counts():
    return [db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Cohort, Membership, Identity, LtiContext)]


def test_login_initiation_sends_the_browser_to_the_platform_with_state_and_nonce(client, platform):
    response = client.get("/lti/login", query_string={"iss": ISSUER, "login_hint": "hint", "client_id": CLIENT_ID,
                                                      "lti1p3_new_window": "1", "lti_message_hint": "m"})
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://lms.example.edu/auth"
    assert query["state"][0].startswith("state-") and query["nonce"][0]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/lti/launch"] and query["lti_message_hint"] == ["m"]


def test_login_initiation_checks_cookies_first_inside_a_frame(client, platform):
    response = client.get("/lti/login", query_string={"iss": ISSUER, "login_hint": "hint", "client_id": CLIENT_ID})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Open Care Plan Lab in a new window" in page
    assert "lti1p3_new_window" in page and "js/lti.js" in page
    assert "frame-ancestors https://lms.example.edu" in response.headers["Content-Security-Policy"]


def test_an_unknown_platform_cannot_start_a_login(client, platform):
    response = client.get("/lti/login", query_string={"iss": "https://other.example.edu", "login_hint": "h",
                                                      "client_id": CLIENT_ID, "lti1p3_new_window": "1"})
    assert response.status_code == 400 and "not registered" in response.get_data(as_text=True)


def test_an_instructors_first_launch_sets_up_the_course_and_a_learner_lands_on_the_assignment(client, make_client,
                                                                                            platform, lms):
    response = full_launch(client, roles=(INSTRUCTOR,), sub="teacher", email="teacher@example.edu")
    context = db.session.scalar(db.select(LtiContext))
    assert context.cohort.name == "MED4500 Care planning"
    assert context.memberships_url == "https://lms.example.edu/api/course-1/members"
    assert context.lineitems_url == "https://lms.example.edu/api/course-1/lineitems"
    link = db.session.scalar(db.select(LtiResourceLink))
    assert link.lineitem_url == "https://lms.example.edu/api/course-1/lineitems/7" and link.assignment_id is None
    assert response.headers["Location"].endswith(f"/lti/links/{link.id}")
    teacher = db.session.scalar(db.select(User).where(User.email == "teacher@example.edu"))
    assert db.session.scalar(db.select(Membership.role).where(Membership.user_id == teacher.id)) == Role.instructor
    # The instructor chooses the assignment the link opens.
    assignment = AssignmentFactory(cohort=context.cohort)
    db.session.commit()
    page = client.get(f"/lti/links/{link.id}")
    assert page.status_code == 200 and assignment.title in page.get_data(as_text=True)
    chosen = post(client, f"/lti/links/{link.id}", {"assignment_id": assignment.id})
    assert chosen.headers["Location"].endswith(f"/assignments/{assignment.id}/case")
    # A learner of the course lands on it.
    learner = make_client()
    response = full_launch(learner, sub="student-1", email="student1@example.edu")
    assert response.headers["Location"].endswith(f"/assignments/{assignment.id}/case")
    assert learner.get(response.headers["Location"]).status_code == 200
    student = db.session.scalar(db.select(User).where(User.email == "student1@example.edu"))
    member = db.session.scalar(db.select(Membership).where(Membership.user_id == student.id))
    assert member.role == Role.student and member.cohort_id == context.cohort_id
    identity = db.session.scalar(db.select(Identity).where(Identity.user_id == student.id))
    assert (identity.issuer, identity.subject) == (ISSUER, "student-1")


def test_a_learner_before_the_link_is_set_up_reads_that_it_is_not_ready(client, make_client, platform, lms):
    full_launch(client, roles=(INSTRUCTOR,), sub="teacher", email="teacher@example.edu")
    learner = make_client()
    response = full_launch(learner, sub="student-1", email="student1@example.edu")
    page = learner.get(response.headers["Location"])
    assert page.status_code == 403 and "Not set up yet" in page.get_data(as_text=True)


@pytest.mark.parametrize("roles, expected", [
    ((LEARNER,), Role.student), ((ASSISTANT,), Role.leader), ((INSTRUCTOR,), Role.leader),
    ((ADMINISTRATOR,), Role.leader),
])
def test_lms_roles_become_cohort_roles(client, make_client, platform, lms, roles, expected):
    platform.staff_role = Role.leader
    db.session.commit()
    full_launch(make_client(), roles=(INSTRUCTOR,), sub="teacher", email="teacher@example.edu")
    full_launch(client, roles=roles, sub="someone", email="someone@example.edu")
    someone = db.session.scalar(db.select(User).where(User.email == "someone@example.edu"))
    assert db.session.scalar(db.select(Membership.role).where(Membership.user_id == someone.id)) == expected


def test_a_learner_cannot_open_a_course_nobody_has_set_up(client, platform, lms):
    before = counts()
    response = full_launch(client)
    assert response.status_code == 403 and "not set up in Care Plan Lab yet" in response.get_data(as_text=True)
    assert counts() == before


def test_an_existing_account_with_a_password_is_linked_once_with_it(client, platform, lms):
    UserFactory(email="nora@example.edu")
    db.session.commit()
    response = full_launch(client, roles=(INSTRUCTOR,))
    assert response.headers["Location"].endswith("/lti/link-account")
    wrong = post(client, "/lti/link-account", {"password": "wrong", "submit": "1"})
    assert wrong.status_code == 400
    right = post(client, "/lti/link-account", {"password": "correct horse battery", "submit": "1"})
    assert right.status_code == 302 and "/lti/links/" in right.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def _refused(response, before, words):
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 403), page
    assert "Care Plan Lab could not open" in page and words in page
    assert counts() == before


def test_an_expired_token_is_refused_and_creates_nothing(client, platform, lms):
    before = counts()
    state, nonce = start_login(client)
    body = claims(nonce, roles=(INSTRUCTOR,), exp=int(time.time()) - 60, iat=int(time.time()) - 400)
    _refused(launch(client, state, signed(body)), before, "could not be verified")


def test_a_token_for_another_audience_is_refused(client, platform, lms):
    before = counts()
    state, nonce = start_login(client)
    _refused(launch(client, state, signed(claims(nonce, roles=(INSTRUCTOR,), aud="another-tool"))), before,
             "not registered")


def test_a_wrong_nonce_is_refused(client, platform, lms):
    before = counts()
    state, _nonce = start_login(client)
    _refused(launch(client, state, signed(claims("made-up", roles=(INSTRUCTOR,)))), before, "could not be matched")


def test_a_replayed_launch_is_refused(client, platform, lms):
    state, nonce = start_login(client)
    token = signed(claims(nonce, roles=(INSTRUCTOR,)))
    assert launch(client, state, token).status_code == 302
    before = counts()
    _refused(launch(client, state, token), before, "already used")


def test_an_unknown_deployment_is_refused(client, platform, lms):
    before = counts()
    state, nonce = start_login(client)
    body = claims(nonce, roles=(INSTRUCTOR,), **{LTI + "deployment_id": "unknown"})
    _refused(launch(client, state, signed(body)), before, "deployment id")


def test_a_bad_signature_is_refused(client, platform, lms):
    before = counts()
    state, nonce = start_login(client)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(launch(client, state, signed(claims(nonce, roles=(INSTRUCTOR,)), key=other)), before,
             "could not be verified")


def test_a_switched_off_platform_is_refused(client, platform, lms):
    state, nonce = start_login(client)
    platform.active = False
    db.session.commit()
    before = counts()
    _refused(launch(client, state, signed(claims(nonce, roles=(INSTRUCTOR,)))), before, "not registered")


def test_launched_pages_may_be_framed_by_the_platform_only_and_the_cookie_works_in_a_frame(client, platform, lms):
    response = full_launch(client, roles=(INSTRUCTOR,))
    cookie = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")][0]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    page = client.get("/")
    assert "frame-ancestors https://lms.example.edu" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    other = client.application.test_client().get("/")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]


def test_deep_linking_returns_a_signed_resource_with_a_line_item(client, platform, lms):
    full_launch(client, roles=(INSTRUCTOR,), sub="teacher", email="teacher@example.edu")
    cohort = db.session.scalar(db.select(LtiContext)).cohort
    assignment = AssignmentFactory(cohort=cohort)
    db.session.commit()
    state, nonce = start_login(client)
    response = launch(client, state, signed(claims(nonce, roles=(INSTRUCTOR,), sub="teacher",
                                                   email="teacher@example.edu", message="LtiDeepLinkingRequest")))
    assert response.headers["Location"].endswith("/lti/deep-link")
    assert assignment.title in client.get("/lti/deep-link").get_data(as_text=True)
    answer = post(client, "/lti/deep-link", {"action": "pick", "pick-assignment_id": assignment.id})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'action="https://lms.example.edu/deep-link-return"' in page
    assert "form-action 'self' https://lms.example.edu" in answer.headers["Content-Security-Policy"]
    token = page.split('name="JWT" value="')[1].split('"')[0]
    keys = client.get("/lti/jwks").get_json()["keys"]
    header = jwt.get_unverified_header(token)
    key = next(k for k in keys if k["kid"] == header["kid"])
    body = jwt.decode(token, RSAAlgorithm.from_jwk(key), algorithms=["RS256"], audience=ISSUER)
    assert body["iss"] == CLIENT_ID and body[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert body[LTI + "deployment_id"] == DEPLOYMENT
    assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data"
    [item] = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"assignment_id": str(assignment.id)}
    assert item["lineItem"]["label"] == assignment.title and item["lineItem"]["resourceId"] == str(assignment.id)
    assert item["lineItem"]["scoreMaximum"] == 100
    # The link the platform makes from it opens the assignment at once.
    learner = client.application.test_client()
    state, nonce = start_login(learner)
    opened = launch(learner, state, signed(claims(nonce, link=str(uuid.uuid4()),
                                                  **{LTI + "custom": {"assignment_id": str(assignment.id)}})))
    assert opened.headers["Location"].endswith(f"/assignments/{assignment.id}/case")


def test_a_learner_cannot_deep_link(client, platform, lms):
    before = counts()
    state, nonce = start_login(client)
    response = launch(client, state, signed(claims(nonce, message="LtiDeepLinkingRequest")))
    _refused(response, before, "Only the course")


def test_the_key_set_and_configuration_are_published(client, platform):
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert keys and all("d" not in key for key in keys)
    page = client.get("/lti/config").get_data(as_text=True)
    assert "http://127.0.0.1:5000/lti/login" in page and "http://127.0.0.1:5000/lti/jwks" in page
    canvas = client.get("/lti/config?format=json").get_json()
    assert canvas["oidc_initiation_url"] == "http://127.0.0.1:5000/lti/login"
    assert canvas["target_link_uri"] == "http://127.0.0.1:5000/lti/launch"
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in canvas["scopes"]


def test_administrators_register_edit_switch_off_and_delete_platforms(client, app):
    UserFactory(email="admin@example.org", is_admin=True)
    db.session.commit()
    login(client, "admin@example.org")
    values = {"name": "Moodle", "issuer": "https://moodle.example.edu", "client_id": "abc",
              "deployment_ids": "1\n2\n", "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
              "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
              "key_set_url": "https://moodle.example.edu/mod/lti/certs.php", "staff_role": "leader", "active": "y"}
    bad = post(client, "/lti/platforms/new", {**values, "key_set_url": "not a url"})
    assert bad.status_code == 400 and "moodle.example.edu/mod/lti/auth.php" in bad.get_data(as_text=True)
    assert post(client, "/lti/platforms/new", values).status_code == 302
    moodle = db.session.scalar(db.select(LtiPlatform))
    assert [d.deployment_id for d in moodle.deployments] == ["1", "2"] and moodle.staff_role == Role.leader
    assert post(client, f"/lti/platforms/{moodle.id}/edit", {**values, "deployment_ids": "2\n3"}).status_code == 302
    db.session.refresh(moodle)
    assert sorted(d.deployment_id for d in moodle.deployments) == ["2", "3"]
    post(client, f"/lti/platforms/{moodle.id}/active")
    db.session.refresh(moodle)
    assert moodle.active is False
    assert "Delete Moodle?" in post(client, f"/lti/platforms/{moodle.id}/delete").get_data(as_text=True)
    post(client, f"/lti/platforms/{moodle.id}/delete", {"confirmed": "yes"})
    assert db.session.scalar(db.select(db.func.count()).select_from(LtiPlatform)) == 0


def test_dynamic_registration_stores_the_platform_and_its_deployment(client, app):
    UserFactory(email="admin@example.org", is_admin=True)
    db.session.commit()
    login(client, "admin@example.org")
    config_url = "https://moodle.example.edu/mod/lti/openid-configuration.php"
    with responses.RequestsMock() as mock:
        mock.get(config_url, json={
            "issuer": "https://moodle.example.edu", "authorization_endpoint": "https://moodle.example.edu/auth",
            "token_endpoint": "https://moodle.example.edu/token", "jwks_uri": "https://moodle.example.edu/certs",
            "registration_endpoint": "https://moodle.example.edu/register",
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "moodle"}})
        sent = mock.post("https://moodle.example.edu/register", json={
            "client_id": "dyn-1", "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "7"}})
        page = client.get("/lti/register", query_string={"openid_configuration": config_url,
                                                         "registration_token": "tok"})
        assert page.status_code == 200 and "https://moodle.example.edu" in page.get_data(as_text=True)
        done = post(client, "/lti/register", {"openid_configuration": config_url, "registration_token": "tok"})
        assert done.status_code == 200 and "Registered" in done.get_data(as_text=True)
        request = sent.calls[0].request
        assert request.headers["Authorization"] == "Bearer tok"
        assert b"http://127.0.0.1:5000/lti/login" in request.body
    moodle = db.session.scalar(db.select(LtiPlatform))
    assert (moodle.client_id, moodle.key_set_url) == ("dyn-1", "https://moodle.example.edu/certs")
    assert [d.deployment_id for d in moodle.deployments] == ["7"]


def test_only_administrators_register_platforms(client, app):
    UserFactory(email="someone@example.org")
    db.session.commit()
    login(client, "someone@example.org")
    assert client.get("/lti/platforms").status_code == 403
    assert client.get("/lti/register", query_string={"openid_configuration": "https://x.example"}).status_code == 403
