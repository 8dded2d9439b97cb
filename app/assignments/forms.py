from datetime import datetime
from typing import cast

from flask_babel import lazy_gettext as _l
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice is new in WTForms 3.3; the stubs describe 3.2
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.assignments import services
from app.forms import Form
from app.i18n import current_locale

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


def assignment_form(obj=None) -> AssignmentForm:
    """The assignment form with the case and rubric versions to choose from, in the reader's language."""
    form = AssignmentForm(obj=obj)
    locale = current_locale()
    form.case_version_id.choices = [SelectChoice(i, label) for i, label in services.case_version_choices(locale)]
    form.rubric_version_id.choices = [SelectChoice(i, label) for i, label in services.rubric_version_choices(locale)]
    form.second_opinion_resolver.choices = [SelectChoice(key, label) for key, label in RESOLVER_LABELS.items()]
    return form


def assignment_values(form: AssignmentForm) -> dict:
    """What the service needs to create or change an assignment, from a validated form."""
    return {
        "title": form.title.data, "instructions": form.instructions.data or "",
        "case_version_id": form.case_version_id.data, "rubric_version_id": form.rubric_version_id.data,
        # The three times are required fields of a validated form.
        "opens_at": services.to_utc(cast(datetime, form.opens_at.data)),
        "due_at": services.to_utc(cast(datetime, form.due_at.data)),
        "review_due_at": services.to_utc(cast(datetime, form.review_due_at.data)), "allow_late": bool(form.allow_late.data),
        "second_opinion_resolver": form.second_opinion_resolver.data or "leader",
    }
