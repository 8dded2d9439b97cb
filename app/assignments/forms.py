from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form

DATETIME_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class AssignmentForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the assignment a title.")), Length(max=160)],
                        description=_l("Students see this, e.g. \"Individual plan for Anna\"."))
    instructions = TextAreaField(_l("Instructions for students"), validators=[Optional(), Length(max=5000)])
    case_version_id = SelectField(_l("Case"), coerce=int, validate_choice=True)
    rubric_version_id = SelectField(_l("Rubric"), coerce=int, validate_choice=True)
    opens_at = DateTimeLocalField(_l("Opens"), format=DATETIME_FORMAT,
                                  validators=[DataRequired(message=_l("Enter a date and time."))])
    due_at = DateTimeLocalField(_l("Due"), format=DATETIME_FORMAT,
                                validators=[DataRequired(message=_l("Enter a date and time."))])
    review_due_at = DateTimeLocalField(_l("Reviews due"), format=DATETIME_FORMAT,
                                       validators=[DataRequired(message=_l("Enter a date and time."))],
                                       description=_l("When instructors should have released their feedback."))
    allow_late = BooleanField(_l("Accept late submissions (they are marked late)"))
    second_opinion_resolver = SelectField(
        _l("Who decides a second opinion"), default="leader", validate_choice=True,
        description=_l("When a second instructor scores a plan too, this person compares both and picks the levels "
                       "to release."))
    confirmed = HiddenField()

# The choices of `AssignmentForm.second_opinion_resolver`, by `app.plans.workflow.RESOLVERS`.
RESOLVER_LABELS = {"leader": _l("The course leader"), "reviewer": _l("The first reviewer")}
