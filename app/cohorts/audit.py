"""Cohorts' and memberships' events in the audit log: their names for the filter and how each reads."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.events import Context, describe_events
from app.cohorts.services import role_label


def _role(value) -> str:
    try:
        return role_label(value)
    except ValueError:
        return str(value)


def _describe_membership(entry, context: Context) -> str | None:
    data = entry.data or {}
    if entry.kind == "membership.role_changed":
        return _("%(name)s: %(from)s → %(to)s", name=context.person(data, "user_id"),
                 **{"from": _role(data.get("from")), "to": _role(data.get("to"))})
    if entry.kind == "membership.student_number_changed":
        return context.person(data, "user_id")
    if entry.kind in ("membership.added", "membership.removed"):
        return _("%(name)s as %(role)s", name=context.person(data, "user_id"), role=_role(data.get("role")))
    return None


def _describe_cohort(entry, context: Context) -> str | None:
    data = entry.data or {}
    if entry.kind == "cohort.enrolled":
        return _("%(new)s new account(s), %(added)s existing account(s) added, %(skipped)s row(s) with errors",
                 new=data.get("new_accounts", 0), added=data.get("added", 0), skipped=data.get("errors", 0))
    if entry.kind in ("cohort.group_mapped", "cohort.group_unmapped"):
        return data.get("group") or None
    return None


describe_events("membership.", _l("All membership and role changes"), {
    "membership.added": _l("Member added"),
    "membership.role_changed": _l("Role changed"),
    "membership.removed": _l("Member removed"),
    "membership.student_number_changed": _l("Student number changed"),
}, _describe_membership, person_keys=("user_id",))
describe_events("cohort.", _l("All cohort changes"), {
    "cohort.created": _l("Cohort created"),
    "cohort.enrolled": _l("People enrolled from a file"),
    "cohort.join_code_regenerated": _l("New join code"),
    "cohort.group_mapped": _l("Course group mapped"),
    "cohort.group_unmapped": _l("Course group mapping removed"),
}, _describe_cohort)


def _describe_invitation(entry, context: Context) -> str | None:
    data = entry.data or {}
    if entry.kind in ("invitation.sent", "invitation.accepted") and data.get("role"):
        who = data.get("email") or context.person(data, "user_id")
        return _("%(name)s as %(role)s", name=who, role=_role(data.get("role")))
    return data.get("email") or None


describe_events("invitation.", _l("All invitations"), {
    "invitation.sent": _l("Invitation sent"),
    "invitation.resent": _l("Invitation sent again"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
}, _describe_invitation)
