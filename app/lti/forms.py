from __future__ import annotations

from wtforms import HiddenField

from app.forms import Form


class RosterApplyForm(Form):
    """Applies the preview the course leader saw: `preview` names its changes."""

    preview = HiddenField()


class RetryForm(Form):
    pass
