"""An LMS course linked to a test cohort, and the platform's services answered by `responses`."""
from __future__ import annotations

import json

import responses

from app.db import db
from app.lti.models import LtiContext, LtiPlatform, LtiResourceLink
from app.oidc.models import Identity

ISSUER = "https://canvas.example.edu"
TOKEN_URL = "https://canvas.example.edu/login/oauth2/token"
MEMBERS_URL = "https://canvas.example.edu/api/lti/courses/7/names_and_roles"
LINEITEMS_URL = "https://canvas.example.edu/api/lti/courses/7/line_items"
LINEITEM_URL = f"{LINEITEMS_URL}/31"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"


def lms_course(cohort, **platform_fields) -> LtiContext:
    values = dict(name="Canvas", issuer=ISSUER, client_id="10000000000001",
                  auth_login_url=f"{ISSUER}/api/lti/authorize_redirect", auth_token_url=TOKEN_URL,
                  key_set_url=f"{ISSUER}/api/lti/security/jwks")
    values.update(platform_fields)
    platform = LtiPlatform(**values)
    db.session.add(platform)
    db.session.flush()
    context = LtiContext(platform_id=platform.id, deployment_id="1:abc", context_id="course-7", title="MED4500 Autumn",
                         cohort_id=cohort.id, memberships_url=MEMBERS_URL, lineitems_url=LINEITEMS_URL,
                         ags_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                     "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"])
    db.session.add(context)
    db.session.flush()
    return context


def resource_link(context: LtiContext, assignment, lineitem_url: str | None = LINEITEM_URL) -> LtiResourceLink:
    link = LtiResourceLink(context_id=context.id, resource_link_id="rl-1", assignment_id=assignment.id,
                           title="Care plan", lineitem_url=lineitem_url)
    db.session.add(link)
    db.session.flush()
    return link


def known_in_lms(user, subject: str) -> Identity:
    identity = Identity(user_id=user.id, issuer=ISSUER, subject=subject, email=user.email)
    db.session.add(identity)
    db.session.flush()
    return identity


def token_endpoint(mock: responses.RequestsMock, token: str = "service-token-1") -> None:
    mock.add(responses.POST, TOKEN_URL, json={"access_token": token, "token_type": "bearer", "expires_in": 3600})


def lms_member(subject: str, name: str, roles: list[str], email: str | None = None, status: str = "Active") -> dict:
    member = {"user_id": subject, "name": name, "roles": roles, "status": status}
    if email:
        member["email"] = email
    return member


def members_pages(mock: responses.RequestsMock, first: list[dict], second: list[dict]) -> None:
    """The member list in two pages, the first pointing to the second with a `Link: <…>; rel="next"` header."""
    page_two = f"{MEMBERS_URL}?page=2"
    mock.add(responses.GET, MEMBERS_URL, match=[responses.matchers.query_string_matcher("")],
             json={"id": MEMBERS_URL, "context": {"id": "course-7"}, "members": first},
             headers={"Link": f'<{page_two}>; rel="next"'})
    mock.add(responses.GET, page_two, match=[responses.matchers.query_string_matcher("page=2")],
             json={"id": MEMBERS_URL, "context": {"id": "course-7"}, "members": second})


def posted_json(call) -> dict:
    return json.loads(call.request.body)
