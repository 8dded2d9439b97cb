from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assignments.models import Assignment
from app.calibration import policies, queries, services
from app.calibration.forms import LevelsForm
from app.calibration.models import CalibrationPlan
from app.db import db
from app.errors import ValidationError
from app.i18n import current_locale
from app.plans.content import SECTIONS, TEXT_SECTIONS
from app.plans.models import PlanVersion
from app.policies import require, require_in_cohort
from app.reading import reading_language
from app.urls import bounded_int

bp = Blueprint("calibration", __name__, template_folder="templates")


@bp.app_template_global("can_manage_calibration")
def can_manage_calibration_global(assignment) -> bool:
    return policies.can_manage_calibration(current_user, assignment)


def _assignment(assignment_id: int, allowed) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(allowed(current_user, assignment))
    return assignment


def _calibration(calibration_id: int, allowed) -> CalibrationPlan:
    calibration = queries.calibration_plan(calibration_id)
    require_in_cohort(calibration.assignment.cohort if calibration else None)
    assert calibration is not None
    require(allowed(current_user, calibration.assignment))
    return calibration


@bp.route("/assignments/<int:assignment_id>/calibration")
@login_required
def index(assignment_id: int):
    assignment = _assignment(assignment_id, policies.can_calibrate)
    plans = queries.plans_of(assignment.id)
    return render_template(
        "calibration/index.html", assignment=assignment, cohort=assignment.cohort, plans=plans,
        mine=queries.reviews_by(assignment.id, current_user.id), required=queries.is_required(assignment.id),
        owes=services.owes_calibration(current_user, assignment),
        submitted={plan.id: len(queries.submitted_reviews(plan.id)) for plan in plans},
        manage=policies.can_manage_calibration(current_user, assignment),
        has_reference=services.has_reference)


@bp.route("/assignments/<int:assignment_id>/calibration/settings", methods=["POST"])
@login_required
def settings(assignment_id: int):
    assignment = _assignment(assignment_id, policies.can_manage_calibration)
    required = request.form.get("required") == "1"
    services.set_required(assignment, current_user, required)
    db.session.commit()
    flash(_("Reviewers must now submit a calibration review before their first review.") if required
          else _("Calibration is now optional for this assignment's reviewers."), "success")
    return redirect(url_for("calibration.index", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/calibration/new", methods=["GET", "POST"])
@login_required
def new(assignment_id: int):
    assignment = _assignment(assignment_id, policies.can_manage_calibration)
    candidates = queries.candidate_versions(assignment, current_user.id)
    form = {"title": _("Calibration plan %(n)d", n=len(queries.plans_of(assignment.id)) + 1), "version_id": "",
            "consent": False}
    error = None
    if request.method == "POST":
        form = {"title": request.form.get("title", ""), "version_id": request.form.get("version_id", ""),
                "consent": request.form.get("consent") == "1"}
        version_id = request.form.get("version_id", type=bounded_int)
        version = db.session.get(PlanVersion, version_id) if version_id else None
        try:
            calibration = services.mark_version(assignment, current_user, version, title=form["title"],
                                                consent=form["consent"])
        except ValidationError as problem:
            db.session.rollback()
            error = problem.message
        else:
            db.session.commit()
            flash(_("The calibration plan is kept. Now give your reference level and a model comment for each "
                    "criterion."), "success")
            return redirect(url_for("calibration.reference", calibration_id=calibration.id))
    return _new_page(assignment, candidates, form, error)


def _new_page(assignment, candidates, form, error, written=None, written_error=None):
    written = written or {"title": form["title"], "sections": {}, "language": current_locale()}
    return render_template("calibration/new.html", assignment=assignment, cohort=assignment.cohort,
                           candidates=candidates, form=form, error=error, written=written,
                           written_error=written_error, text_sections=[s for s in SECTIONS if s.key in TEXT_SECTIONS]
                           ), 400 if error or written_error else 200


@bp.route("/assignments/<int:assignment_id>/calibration/written", methods=["POST"])
@login_required
def written(assignment_id: int):
    """A calibration plan the course leader writes for the purpose."""
    assignment = _assignment(assignment_id, policies.can_manage_calibration)
    sections = {key: request.form.get(f"section-{key}", "") for key in TEXT_SECTIONS}
    title, language = request.form.get("title", ""), request.form.get("language", "en")
    written = {"title": title, "sections": sections, "language": language}
    try:
        calibration = services.write_plan(assignment, current_user, title=title, sections=sections,
                                          language=language)
    except ValidationError as problem:
        db.session.rollback()
        candidates = queries.candidate_versions(assignment, current_user.id)
        form = {"title": title, "version_id": "", "consent": False}
        return _new_page(assignment, candidates, form, None, written, problem.message)
    db.session.commit()
    flash(_("The calibration plan is kept. Now give your reference level and a model comment for each "
            "criterion."), "success")
    return redirect(url_for("calibration.reference", calibration_id=calibration.id))


def _criteria(calibration: CalibrationPlan) -> list[str]:
    return calibration.rubric_version.criterion_keys()


@bp.route("/calibration/<int:calibration_id>/reference", methods=["GET", "POST"])
@login_required
def reference(calibration_id: int):
    calibration = _calibration(calibration_id, policies.can_manage_calibration)
    fields = LevelsForm.saved(calibration.references)
    error = None
    if request.method == "POST":
        fields = LevelsForm.sent(_criteria(calibration), request.form)
        try:
            services.save_reference(calibration, current_user, levels=fields.levels, comments=fields.comments)
        except ValidationError as problem:
            db.session.rollback()
            error = problem.message
        else:
            db.session.commit()
            flash(_("The reference is saved."), "success")
            return redirect(url_for("calibration.index", assignment_id=calibration.assignment_id))
    return render_template("calibration/reference.html", **_page(calibration), fields=fields, error=error,
                           reviews=queries.submitted_reviews(calibration.id)), 400 if error else 200


def _page(calibration: CalibrationPlan) -> dict:
    rubric = calibration.rubric_version
    return dict(calibration=calibration, assignment=calibration.assignment, cohort=calibration.assignment.cohort,
                rubric=rubric, lang=reading_language(rubric), sections=SECTIONS)


@bp.route("/calibration/<int:calibration_id>", methods=["GET", "POST"])
@login_required
def calibrate(calibration_id: int):
    calibration = _calibration(calibration_id, policies.can_calibrate)
    review = queries.review_of(calibration.id, current_user.id)
    fields = LevelsForm.saved(review.scores) if review else LevelsForm()
    problems: dict = {}
    error = None
    if request.method == "POST" and policies.can_edit_review(current_user, review):
        fields = LevelsForm.sent(_criteria(calibration), request.form)
        submit = request.form.get("action") == "submit"
        try:
            review = services.save_calibration(calibration, current_user, levels=fields.levels,
                                               comments=fields.comments, submit=submit)
        except services.CalibrationProblem as problem:
            db.session.rollback()
            error, problems = problem.message, problem.problems
        except ValidationError as problem:
            db.session.rollback()
            error = problem.message
        else:
            db.session.commit()
            flash(_("Your calibration review is submitted. Here is how it compares.") if submit
                  else _("Your calibration review is saved. You can change it until you submit it."), "success")
            return redirect(url_for("calibration.calibrate", calibration_id=calibration.id))
    elif request.method == "POST":
        flash(_("Your calibration review of this plan is submitted and can no longer be changed."), "error")
        return redirect(url_for("calibration.calibrate", calibration_id=calibration.id))
    compare = policies.can_see_comparison(current_user, review)
    return render_template(
        "calibration/calibrate.html", **_page(calibration), review=review, fields=fields, error=error,
        problems=problems, can_edit=policies.can_edit_review(current_user, review),
        comparison=services.comparison(calibration, current_user, current_locale()) if compare else None,
    ), 400 if error else 200
