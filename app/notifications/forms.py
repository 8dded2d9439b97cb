from __future__ import annotations

from wtforms import BooleanField

from app.forms import Form
from app.notifications.services import EMAIL_CHOICES


class EmailChoicesForm(Form):
    """One box per kind of notification: ticked, it also comes by e-mail. `email_<kind>` for each kind."""

    @classmethod
    def field_name(cls, kind: str) -> str:
        return f"email_{kind}"


for _choice in EMAIL_CHOICES:
    setattr(EmailChoicesForm, EmailChoicesForm.field_name(_choice.kind), BooleanField(_choice.label))
