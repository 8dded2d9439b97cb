"""Which doors to an account a site has open: password sign-in (LOCAL_LOGIN) and an OpenID Connect provider."""
from __future__ import annotations

from flask import Flask, current_app

LOCAL_LOGIN_MODES = ("on", "invited-only", "off")


def check_local_login(app: Flask) -> None:
    mode = app.config.get("LOCAL_LOGIN", "on")
    if mode not in LOCAL_LOGIN_MODES:
        raise RuntimeError(f"LOCAL_LOGIN must be one of {', '.join(LOCAL_LOGIN_MODES)}, not {mode!r}")


def local_login_mode() -> str:
    return current_app.config.get("LOCAL_LOGIN", "on")


def passwords_allowed() -> bool:
    """Whether people sign in with a password at all (also: choose one from a reset or invitation link)."""
    return local_login_mode() != "off"


def self_registration_allowed() -> bool:
    """Whether someone may create an account with a join code, without being invited."""
    return local_login_mode() == "on"


def provider_configured() -> bool:
    """Whether "Sign in with Feide" (or the configured provider) is offered."""
    return bool(current_app.config.get("FEIDE_CLIENT_ID"))


def provider_name() -> str:
    return current_app.config.get("FEIDE_PROVIDER_NAME") or "Feide"
