from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs describe 3.2
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import Form

EMAIL_VALIDATORS = [DataRequired(message=_l("Enter your e-mail address.")),
                    Email(message=_l("Enter a valid e-mail address, like name@example.org.")),
                    Length(max=254)]


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=512)])
    next = HiddenField()


class RegisterForm(Form):
    join_code = StringField(_l("Join code"), validators=[DataRequired(message=_l("Enter the join code from your course leader.")), Length(max=32)])
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=EMAIL_VALIDATORS)
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password.")), Length(max=512)],
                             description=_l("At least 12 characters; not a common password, and not your name or e-mail address. "
                                             "A short sentence is easy to remember."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(message=_l("Repeat the password.")), EqualTo("password", message=_l("The two passwords are not the same."))])


class JoinForm(Form):
    join_code = StringField(_l("Join code"), validators=[DataRequired(message=_l("Enter the join code from your course leader.")), Length(max=32)])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=EMAIL_VALIDATORS)


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")), Length(max=512)],
                             description=_l("At least 12 characters; not a common password, and not your name or e-mail address."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")), EqualTo("password", message=_l("The two passwords are not the same."))])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Enter your current password.")), Length(max=512)])
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")), Length(max=512)],
                             description=_l("At least 12 characters; not a common password, and not your name or e-mail address."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")), EqualTo("password", message=_l("The two passwords are not the same."))])


class LocaleForm(Form):
    locale = SelectField(_l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("nb", "Norsk bokmål")])
    next = HiddenField()
