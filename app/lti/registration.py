"""LTI Dynamic Registration: a platform (Moodle, say) opens /lti/register with the address of its configuration and
a one-time token; the tool reads the configuration, sends its own (pylti1p3's DynamicRegistration) and keeps the
platform and deployment it is given. Only an administrator signed in here may complete it."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import gettext as _
from pylti1p3.dynamic_registration import DynamicRegistration

from app.audit.services import record
from app.db import db
from app.errors import ValidationError
from app.lti import config
from app.lti.models import LtiDeployment, LtiPlatform

TOOL_SPEC = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_SPEC = "https://purl.imsglobal.org/spec/lti-platform-configuration"


class ToolRegistration(DynamicRegistration):
    client_name = config.TITLE
    description = config.DESCRIPTION

    def __init__(self, openid_configuration: str, registration_token: str | None, actor):
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.actor = actor
        self.platform: LtiPlatform | None = None

    def get_request_session(self):
        session = requests.Session()
        timeout = current_app.config["LTI_TIMEOUT"]
        session.request = _with_timeout(session.request, timeout)  # type: ignore[method-assign]
        return session

    def get_initiate_login_uri(self) -> str:
        return config.tool_values()["login_url"]

    def get_jwks_uri(self) -> str:
        return config.tool_values()["jwks_url"]

    def get_redirect_uris(self) -> list[str]:
        return config.tool_values()["redirect_uris"]

    def get_scopes(self) -> list[str]:
        return config.SCOPES

    def get_domain(self) -> str:
        return config.tool_values()["domain"]

    def get_target_link_uri(self) -> str:
        return config.tool_values()["tool_url"]

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict[str, str]]:
        return [{"type": "LtiDeepLinkingRequest", "target_link_uri": self.get_target_link_uri(),
                 "label": config.TITLE}]

    def get_logo_uri(self) -> str:
        return ""

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str:
        return self.registration_token  # type: ignore[return-value]

    def complete_registration(self, openid_configuration: dict[str, Any],
                              openid_registration: dict[str, Any]) -> LtiPlatform:
        issuer = str(openid_configuration.get("issuer") or "")
        if urlsplit(issuer).netloc != urlsplit(self.openid_configuration_url).netloc:
            raise ValidationError(_("The platform's configuration names another issuer than its own address."))
        try:
            values = {"issuer": issuer[:255], "client_id": str(openid_registration["client_id"])[:255],
                      "auth_login_url": str(openid_configuration["authorization_endpoint"])[:500],
                      "auth_token_url": str(openid_configuration["token_endpoint"])[:500],
                      "key_set_url": str(openid_configuration["jwks_uri"])[:500]}
        except KeyError as exc:
            raise ValidationError(_("The platform's configuration lacks %(name)s.", name=str(exc))) from None
        platform_conf = openid_configuration.get(PLATFORM_SPEC) or {}
        name = str(platform_conf.get("product_family_code") or urlsplit(issuer).netloc or issuer)[:120]
        platform = db.session.scalar(db.select(LtiPlatform).where(LtiPlatform.issuer == values["issuer"],
                                                                  LtiPlatform.client_id == values["client_id"]))
        if platform is None:
            platform = LtiPlatform(name=name, created_by_id=self.actor.id, **values)
            db.session.add(platform)
        else:
            for key, value in values.items():
                setattr(platform, key, value)
        audience = openid_configuration.get("authorization_server")
        platform.auth_audience = str(audience)[:500] if audience else None
        deployment_id = (openid_registration.get(TOOL_SPEC) or {}).get("deployment_id")
        if deployment_id and str(deployment_id) not in {d.deployment_id for d in platform.deployments}:
            platform.deployments.append(LtiDeployment(deployment_id=str(deployment_id)[:255]))
        db.session.flush()
        record("lti.platform_registered", actor=self.actor, subject=platform, name=platform.name, issuer=issuer)
        self.platform = platform
        return platform


def _with_timeout(request, timeout: float):
    def send(method, url, **kwargs):
        kwargs.setdefault("timeout", timeout)
        return request(method, url, **kwargs)
    return send
