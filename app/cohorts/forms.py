from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs describe 3.2
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.cohorts.models import Role
from app.forms import Form


def role_choices():
    from app.cohorts.services import ROLE_LABELS

    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class CohortForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the cohort a name.")), Length(max=120)],
                       description=_l("For example: MED3100 autumn 2026, group 4"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class AppointForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter an e-mail address.")),
                                                 Email(message=_l("Enter a valid e-mail address, like name@example.org.")),
                                                 Length(max=254)])
    name = StringField(_l("Name (for a new account)"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices, default=Role.leader.value)


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=role_choices)
    confirmed = HiddenField()


class StudentNumberForm(Form):
    student_number = StringField(_l("Student number"), validators=[Optional(), Length(max=32)])


class ConfirmForm(Form):
    confirmed = HiddenField()


class EnrolUploadForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to upload."))],
                     description=_l("The first line names the columns: email, name, role, and if you have "
                                    "them, student number. Roles: student, instructor or leader (an empty role "
                                    "means student). At most 2,000 rows."),
                     render_kw={"accept": ".csv,text/csv,text/plain"})


class EnrolConfirmForm(Form):
    csv_text = HiddenField()
    checksum = HiddenField()


class InviteForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter an e-mail address.")),
                                                 Email(message=_l("Enter a valid e-mail address, like name@example.org.")),
                                                 Length(max=254)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)],
                       description=_l("Shown in the list of invitations and suggested when the person accepts."))
    role = SelectField(_l("Role"), choices=role_choices, default=Role.instructor.value)


class AcceptInvitationForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password.")), Length(max=512)],
                             description=_l("At least 12 characters; not a common password, and not your name or e-mail "
                                             "address. A short sentence is easy to remember."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(message=_l("Repeat the password.")), EqualTo("password", message=_l("The two passwords are not the same."))])
