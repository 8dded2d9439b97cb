"""Accounts' events in the audit log: their names for the filter and how each reads."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.audit.events import Context, describe_events


def _describe(entry, context: Context) -> str | None:
    if entry.kind == "user.created":
        return (entry.data or {}).get("email", "")
    if entry.kind == "user.identity_linked":
        data = entry.data or {}
        return data.get("eppn") or data.get("issuer") or ""
    return None


describe_events("user.", _l("All account changes"), {
    "user.created": _l("Account created"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password set from a link"),
    "user.identity_linked": _l("Sign-in with a provider linked"),
}, _describe)
