from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]  # new in WTForms 3.3
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.cohorts.models import Role
from app.forms import Form


def _url(form, field) -> None:
    if field.data and not field.data.strip().startswith(("https://", "http://")):
        raise ValidationError(_l("Enter an address starting with https://."))


def _required(message):
    return [DataRequired(message=message), Length(max=500), _url]


class PlatformForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the platform a name.")), Length(max=120)],
                       description=_l("For you, e.g. \"Canvas at our university\"."))
    issuer = StringField(_l("Issuer"), validators=[DataRequired(message=_l("Enter the platform's issuer.")),
                                                   Length(max=255)],
                         description=_l("Canvas: https://canvas.instructure.com; Moodle: the site's address."))
    client_id = StringField(_l("Client id"), validators=[DataRequired(message=_l("Enter the client id.")),
                                                         Length(max=255)],
                            description=_l("Canvas: the developer key's number; Moodle: the tool's client id."))
    deployment_ids = TextAreaField(_l("Deployment ids"), validators=[Length(max=5000)],
                                   description=_l("One a line. Launches from a deployment not listed are refused."))
    auth_login_url = StringField(_l("Authentication request URL"),
                                 validators=_required(_l("Enter the platform's authentication request URL.")))
    auth_token_url = StringField(_l("Access token URL"),
                                 validators=_required(_l("Enter the platform's access token URL.")))
    key_set_url = StringField(_l("Public keyset URL"),
                              validators=_required(_l("Enter the platform's public keyset URL.")))
    auth_audience = StringField(_l("Token audience (optional)"), validators=[Optional(), Length(max=500)],
                                description=_l("Only when the platform asks for one other than the access token "
                                               "URL."))
    staff_role = SelectField(_l("LMS instructors and teaching assistants become"),
                             choices=[SelectChoice(Role.instructor.value, _l("instructors")),
                                      SelectChoice(Role.leader.value, _l("course leaders"))],
                             default=Role.instructor.value)
    send_scores = BooleanField(_l("Send scores to the platform's gradebook, not only progress"))
    active = BooleanField(_l("Launches from this platform are accepted"), default=True)

    def deployments(self) -> list[str]:
        lines = [line.strip()[:255] for line in (self.deployment_ids.data or "").splitlines()]
        return list(dict.fromkeys(line for line in lines if line))


class PickAssignmentForm(Form):
    assignment_id = SelectField(_l("Assignment"), coerce=int, validate_choice=True)


class RosterApplyForm(Form):
    """Applies the preview the course leader saw: `preview` names its changes."""

    preview = HiddenField()


class RetryForm(Form):
    pass
