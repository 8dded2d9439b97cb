"""What an administrator pastes into a platform: the tool's addresses, built from BASE_URL, and Canvas's LTI key
JSON with the placements and the scopes for grades (AGS), rosters (NRPS) and deep linking."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from app.urls import external_url

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
TITLE = "Care Plan Lab"
DESCRIPTION = "Write individual care plans for a case and get rubric-based feedback."


def tool_values() -> dict[str, Any]:
    launch = external_url("lti.launch")
    return {
        "title": TITLE, "description": DESCRIPTION,
        "tool_url": launch, "login_url": external_url("lti.login"), "redirect_uris": [launch],
        "jwks_url": external_url("lti.jwks"), "deep_link_url": launch,
        "registration_url": external_url("lti.register"),
        "domain": urlsplit(launch).netloc, "scopes": SCOPES,
        "config_json_url": external_url("lti.config", format="json"),
    }


def canvas_json() -> dict[str, Any]:
    values = tool_values()
    placements = [
        {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest", "target_link_uri": values["tool_url"],
         "text": TITLE},
        {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
         "target_link_uri": values["tool_url"], "text": TITLE},
        {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
         "target_link_uri": values["tool_url"], "text": TITLE, "default": "disabled"},
    ]
    return {
        "title": TITLE, "description": DESCRIPTION, "oidc_initiation_url": values["login_url"],
        "target_link_uri": values["tool_url"], "public_jwk_url": values["jwks_url"], "scopes": SCOPES,
        "extensions": [{"platform": "canvas.instructure.com", "privacy_level": "public", "domain": values["domain"],
                        "settings": {"placements": placements}}],
        "custom_fields": {},
    }


def canvas_json_text() -> str:
    return json.dumps(canvas_json(), indent=2)
