"""The LMS roster syncs in the audit log."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.events import Context, describe_events


def _describe(entry, context: Context) -> str | None:
    data = entry.data or {}
    if entry.kind == "lti.roster_synced":
        return _("%(course)s: %(added)s added, %(changed)s role(s) changed, %(removed)s removed",
                 course=data.get("course") or "?", added=data.get("added", 0), changed=data.get("changed", 0),
                 removed=data.get("removed", 0))
    return None


describe_events("lti.", _l("All LMS course syncs"), {
    "lti.roster_synced": _l("Members synced from the LMS course"),
}, _describe)
