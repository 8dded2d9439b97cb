from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs describe 3.2
from wtforms.validators import DataRequired, Length

from app.cohorts.models import Role
from app.forms import Form


class LinkForm(Form):
    password = PasswordField(_l("Password of your account here"), validators=[Length(max=512)])
    submit = SubmitField(_l("Link and sign in"))
    cancel = SubmitField(_l("Cancel"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.cancel.data and not self.password.data:
            self.password.errors = [_l("Enter your password.")]
            return False
        return True


def _role_choices(nobody):
    def choices():
        from app.cohorts.services import ROLE_LABELS

        return [SelectChoice("", nobody), *[SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]]
    return choices


class GroupMappingForm(Form):
    group_id = StringField(_l("Group id"), validators=[DataRequired(message=_l("Enter the group's id.")), Length(max=255)],
                           description=_l("The course and term as the groups API names it, e.g. "
                                          "fs:fc:emne:uio.no:MED4500:1 (course MED4500, first term)."))
    student_role = SelectField(_l("The group's students become"), choices=_role_choices(_l("not added")),
                               default=Role.student.value)
    staff_role = SelectField(_l("The group's teachers and administrators become"),
                             choices=_role_choices(_l("not added")), default="")
