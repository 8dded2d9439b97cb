from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal
from flask_login import current_user, login_required

from app.assignments.models import Assignment
from app.dashboard import charts, policies, services
from app.db import db, transactional
from app.i18n import current_locale
from app.policies import require, require_in_cohort

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.app_template_filter("number")
def number_filter(value) -> str:
    return format_decimal(value)


@bp.app_template_global("can_view_dashboard")
def can_view_dashboard_global(cohort) -> bool:
    return policies.can_view_dashboard(current_user, cohort)


def load_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(policies.can_view_dashboard(current_user, assignment.cohort))
    return assignment


@bp.route("/assignments/<int:assignment_id>/dashboard")
@transactional  # the versions' hints are streamed in batches from a server-side cursor
@login_required
def show(assignment_id: int):
    assignment = load_assignment(assignment_id)
    dashboard = services.build(assignment, locale=current_locale())
    filters = services.Filters.from_args(request.args)
    tables = {key: services.table(dashboard, key, filters) for key in services.TABLES}
    students = services.filtered_students(dashboard, filters)
    agreement = services.agreement_of(assignment, current_locale())
    return render_template(
        "dashboard/assignment.html", assignment=assignment, cohort=assignment.cohort, dashboard=dashboard,
        filters=filters, student_rows=list(zip(students, tables["students"].rows)), tables=tables,
        charts=charts.dashboard_charts(dashboard),
        state_labels=services.STATE_LABELS, states=services.STATES, overdue_labels=services.OVERDUE_LABELS,
        cell=services.cell_text, agreement=agreement, agreement_table=services.agreement_table(agreement),
        offsets_table=services.offsets_table(agreement),
    )


@bp.route("/assignments/<int:assignment_id>/dashboard.csv")
@transactional
@login_required
def export(assignment_id: int):
    assignment = load_assignment(assignment_id)
    key = request.args.get("table", "students")
    if key not in services.TABLES:
        abort(404)
    dashboard = services.build(assignment, locale=current_locale())
    data = services.export_table(dashboard, key, services.Filters.from_args(request.args))
    return Response(services.to_csv(data), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{services.csv_filename(assignment, key)}"',
                             "Cache-Control": "no-store"})


@bp.route("/assignments/<int:assignment_id>/reviewers")
@transactional
@login_required
def reviewers(assignment_id: int):
    assignment = load_assignment(assignment_id)
    dashboard = services.build(assignment, locale=current_locale())
    rows = services.reviewer_quality(dashboard)
    return render_template("dashboard/reviewers.html", assignment=assignment, cohort=assignment.cohort,
                           rows=rows, table=services.quality_table(rows), charts=charts.reviewer_quality_charts(rows),
                           cell=services.cell_text, now=dashboard.now)


@bp.route("/assignments/<int:assignment_id>/reviewers.csv")
@transactional
@login_required
def reviewers_csv(assignment_id: int):
    assignment = load_assignment(assignment_id)
    dashboard = services.build(assignment, locale=current_locale())
    data = services.quality_table(services.reviewer_quality(dashboard))
    return Response(services.to_csv(data), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{services.csv_filename(assignment, "reviewing")}"',
                             "Cache-Control": "no-store"})
