"""The tool's signing keys and the platforms pylti1p3 finds in the database."""
from __future__ import annotations

from app.db import db
from app.lti.models import LtiDeployment, LtiPlatform
from app.lti.tool import DatabaseToolConf, key_set, signing_key


def platform(**overrides) -> LtiPlatform:
    values = dict(name="Canvas", issuer="https://canvas.example.edu", client_id="10000000000001",
                  auth_login_url="https://canvas.example.edu/api/lti/authorize_redirect",
                  auth_token_url="https://canvas.example.edu/login/oauth2/token",
                  key_set_url="https://canvas.example.edu/api/lti/security/jwks")
    values.update(overrides)
    found = LtiPlatform(**values)
    db.session.add(found)
    db.session.flush()
    return found


def test_the_first_key_is_made_once_and_published(app):
    first = signing_key()
    assert signing_key().kid == first.kid
    published = key_set()["keys"]
    assert [key["kid"] for key in published] == [first.kid]
    assert published[0]["kty"] == "RSA" and published[0]["alg"] == "RS256" and "d" not in published[0]


def test_platforms_and_deployments_are_found_by_issuer_client_and_deployment(app):
    canvas = platform()
    db.session.add(LtiDeployment(platform=canvas, deployment_id="1:abc"))
    platform(client_id="other")
    db.session.flush()
    conf = DatabaseToolConf()
    registration = conf.find_registration_by_params("https://canvas.example.edu", "10000000000001")
    assert registration.get_client_id() == "10000000000001"
    assert registration.get_tool_private_key().startswith("-----BEGIN PRIVATE KEY-----")
    assert conf.find_deployment_by_params("https://canvas.example.edu", "1:abc", "10000000000001") is not None
    assert conf.find_deployment_by_params("https://canvas.example.edu", "1:other", "10000000000001") is None
    assert conf.find_deployment_by_params("https://canvas.example.edu", "1:abc", "other") is None
    assert conf.find_registration_by_params("https://unknown.example.edu", "10000000000001") is None
    canvas.active = False
    assert conf.find_registration_by_params("https://canvas.example.edu", "10000000000001") is None
