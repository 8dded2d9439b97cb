"""Content imports in the audit log: their names for the filter."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.audit.events import describe_events

describe_events("content.", _l("All content imports"), {
    "content.case_imported": _l("Case imported"),
    "content.rubric_imported": _l("Rubric imported"),
})
