from __future__ import annotations

import math

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit import policies, queries
from app.cohorts.models import Cohort
from app.db import db
from app.policies import require, require_in_cohort

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.app_template_global("can_read_full_audit_log")
def can_read_full_log_global() -> bool:
    return policies.can_read_full_log(current_user)


def _page(cohort: Cohort | None, endpoint_args: dict):
    cohort_id = cohort.id if cohort else None
    filters = queries.Filters.from_args(request.args)
    rows, total = queries.entries(cohort_id, filters)
    context = queries.context_for(rows)
    lines = [(entry, queries.kind_label(entry.kind), queries.describe(entry, context)) for entry in rows]
    pages = max(1, math.ceil(total / queries.PER_PAGE))
    return render_template(
        "audit/log.html", cohort=cohort, lines=lines, total=total, filters=filters, pages=pages,
        kinds=queries.kinds(cohort_id), people=queries.people(cohort_id), cohort_names=context.cohorts,
        page_url=lambda **changes: url_for(request.endpoint, **endpoint_args, **filters.as_args(**changes)),
        form_action=url_for(request.endpoint, **endpoint_args),
    )


@bp.route("/audit")
@login_required
def full_log():
    require(policies.can_read_full_log(current_user))
    return _page(None, {})


@bp.route("/cohorts/<int:cohort_id>/audit")
@login_required
def cohort_log(cohort_id: int):
    cohort = db.session.get(Cohort, cohort_id)
    require_in_cohort(cohort)
    require(policies.can_read_cohort_log(current_user, cohort))
    return _page(cohort, {"cohort_id": cohort.id})
