from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, send_file, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required

from app.assignments.models import Assignment
from app.db import db
from app.errors import error_response, wants_json
from app.exports import policies, services
from app.exports.models import ExportState, PlanExport
from app.extensions import limiter
from app.i18n import current_locale
from app.policies import require, require_in_cohort

bp = Blueprint("exports", __name__, template_folder="templates")


def _export_limit() -> str:
    return current_app.config["EXPORT_RATE_LIMIT"]


def _exporter() -> str:
    return f"export:{current_user.get_id()}"


@bp.errorhandler(RateLimitExceeded)
def _too_many_exports(error: RateLimitExceeded):
    message = _("You have started many exports in a short time. Open one of the recent exports on the progress "
                "page, or start a new one later.")
    if wants_json():
        return error_response(429, message)
    return render_template("errors/generic.html", status=429, message=message), 429


@bp.app_template_global("plan_exports_of")
def plan_exports_of(assignment) -> list[PlanExport]:
    """The assignment's latest exports, for its progress page."""
    return services.recent_exports(assignment)


def load_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(policies.can_export(current_user, assignment.cohort))
    return assignment


def load_export(export_id: int) -> PlanExport:
    export = db.session.get(PlanExport, export_id)
    cohort = export.assignment.cohort if export else None
    require_in_cohort(cohort)
    require(policies.can_export(current_user, cohort))
    return export


def size_text(size: int | None) -> str:
    megabytes = (size or 0) / (1024 * 1024)
    if megabytes >= 0.1:
        return _("%(size)s MB", size=format_decimal(round(megabytes, 1)))
    return _("%(size)s kB", size=format_decimal(max(1, round((size or 0) / 1024))))


def progress_message(progress: services.Progress) -> str:
    if progress.state == ExportState.ready.value:
        return _("The zip is ready.")
    if progress.state == ExportState.expired.value:
        return _("This export's file is deleted.")
    if progress.total == 0:
        return _("No plan has been submitted yet: the zip will hold the students' CSV and the README.")
    if progress.done >= progress.total:
        return ngettext("The one plan is in. Putting the zip together…",
                        "All %(num)d plans are in. Putting the zip together…", progress.total)
    return ngettext("%(done)s of %(num)d plan added to the zip.", "%(done)s of %(num)d plans added to the zip.",
                    progress.total, done=progress.done)


@bp.route("/assignments/<int:assignment_id>/exports", methods=["POST"])
@login_required
@limiter.limit(_export_limit, key_func=_exporter)
def start(assignment_id: int):
    assignment = load_assignment(assignment_id)
    export = services.start_export(assignment, current_user._get_current_object(), locale=current_locale())
    db.session.commit()
    return redirect(url_for("exports.show", export_id=export.id))


@bp.route("/exports/<int:export_id>")
@login_required
def show(export_id: int):
    export = load_export(export_id)
    return _page(export)


def _page(export: PlanExport, status: int = 200):
    progress = services.progress_of(export)
    expired = services.is_expired(export)
    response = current_app.response_class(render_template(
        "exports/show.html", export=export, assignment=export.assignment, cohort=export.assignment.cohort,
        progress=progress, message=progress_message(progress), expired=expired, size=size_text(export.size),
        by_worker=services.left_to_worker(export),
        keep_hours=current_app.config["EXPORT_KEEP_HOURS"]), status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/exports/<int:export_id>/step", methods=["POST"])
@login_required
def step(export_id: int):
    """Carries the export on by one step: the page's script calls it again and again; without scripts, its
    "Continue" button does. JSON for the script, the page again for the button."""
    export = load_export(export_id)
    if services.left_to_worker(export):  # a worker makes it: the page only asks how far it has come
        progress = services.progress_of(export, busy=True)
    else:
        progress = services.run_step(export.id)
    if not wants_json():
        return redirect(url_for("exports.show", export_id=export.id))
    ready = progress.state == ExportState.ready.value
    return jsonify({
        "state": progress.state, "done": progress.done, "total": progress.total, "percent": progress.percent,
        "busy": progress.busy, "message": progress_message(progress),
        "download": url_for("exports.download", export_id=export.id) if ready else None,
    })


@bp.route("/exports/<int:export_id>/download")
@login_required
def download(export_id: int):
    export = load_export(export_id)
    if export.state == ExportState.building and not services.is_expired(export):
        return redirect(url_for("exports.show", export_id=export.id))
    path = services.file_of(export) if export.file_name else None
    if services.is_expired(export) or path is None or not path.is_file():
        return _page(export, 410)
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=path.name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
