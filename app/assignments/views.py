from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assignments import services
from app.assignments.forms import assignment_form as _form
from app.assignments.forms import assignment_values as _values
from app.assignments.models import Assignment
from app.cohorts import policies as cohort_policies
from app.cohorts.forms import ConfirmForm
from app.cohorts.models import Cohort
from app.db import db
from app.errors import ValidationError
from app.policies import require, require_in_cohort

bp = Blueprint("assignments", __name__, template_folder="templates")


@bp.route("/cohorts/<int:cohort_id>/assignments/new", methods=["GET", "POST"])
@login_required
def create(cohort_id: int):
    cohort = db.session.get(Cohort, cohort_id)
    require_in_cohort(cohort)
    require(cohort_policies.can_manage_cohort(current_user, cohort))
    form = _form()
    if not form.case_version_id.choices:
        return render_template("assignments/no_content.html", cohort=cohort)
    if form.validate_on_submit():
        try:
            assignment = services.create_assignment(cohort, current_user, **_values(form))
        except ValidationError as exc:
            form.title.errors = list(form.title.errors) + [exc.message]
        else:
            db.session.commit()
            flash(_("Assignment \"%(title)s\" created.", title=assignment.title), "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id) + "#assignments")
    return render_template("assignments/form.html", form=form, cohort=cohort, assignment=None), (400 if form.errors else 200)


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(cohort_policies.can_manage_cohort(current_user, assignment.cohort))
    form = _form(obj=assignment)
    if not form.is_submitted():
        form.opens_at.data = services.to_local(assignment.opens_at)
        form.due_at.data = services.to_local(assignment.due_at)
        form.review_due_at.data = services.to_local(assignment.review_due_at)
    needs_confirmation = False
    if form.validate_on_submit():
        values = _values(form)
        dates_change = any(values[k] != getattr(assignment, k) for k in ("opens_at", "due_at", "review_due_at"))
        if dates_change and services.has_submissions(assignment) and form.confirmed.data != "yes":
            needs_confirmation = True
        else:
            try:
                services.update_assignment(assignment, current_user, **values)
            except ValidationError as exc:
                db.session.rollback()
                form.title.errors = list(form.title.errors) + [exc.message]
            else:
                db.session.commit()
                flash(_("Assignment saved."), "success")
                return redirect(url_for("cohorts.detail", cohort_id=assignment.cohort_id) + "#assignments")
    return render_template("assignments/form.html", form=form, cohort=assignment.cohort, assignment=assignment,
                           needs_confirmation=needs_confirmation), (400 if form.errors else 200)


def _managed_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(cohort_policies.can_manage_cohort(current_user, assignment.cohort))
    return assignment


@bp.route("/assignments/<int:assignment_id>/close", methods=["POST"])
@login_required
def close(assignment_id: int):
    assignment = _managed_assignment(assignment_id)
    back = url_for("cohorts.detail", cohort_id=assignment.cohort_id) + "#assignments"
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Close \"%(title)s\"?", title=assignment.title),
            message=_("Students can no longer submit plans for this assignment; their drafts are kept. Reviews of "
                      "plans already submitted go on as before. You can reopen it at any time."),
            action=url_for("assignments.close", assignment_id=assignment.id),
            confirm_label=_("Close the assignment"), cancel=back, hidden={},
        )
    services.close_assignment(assignment, current_user)
    db.session.commit()
    flash(_("\"%(title)s\" is closed: no new submissions.", title=assignment.title), "success")
    return redirect(back)


@bp.route("/assignments/<int:assignment_id>/reopen", methods=["POST"])
@login_required
def reopen(assignment_id: int):
    assignment = _managed_assignment(assignment_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.reopen_assignment(assignment, current_user)
    db.session.commit()
    flash(_("\"%(title)s\" is open again: students can submit.", title=assignment.title), "success")
    return redirect(url_for("cohorts.detail", cohort_id=assignment.cohort_id) + "#assignments")
