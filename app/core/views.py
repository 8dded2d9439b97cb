from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from app.audit.policies import can_read_full_log
from app.auth.forms import LocaleForm
from app.auth.services import set_locale
from app.cohorts.models import Role
from app.cohorts.policies import is_admin
from app.cohorts.services import cohorts_of
from app.dashboard.services import leader_home
from app.db import db
from app.lti.policies import can_manage_platforms
from app.plans.queries import student_assignments
from app.reviews.queries import review_counts
from app.urls import safe_next

bp = Blueprint("core", __name__, template_folder="templates")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("core/landing.html")
    return render_template("core/home.html", **home_for(current_user))


def home_for(user) -> dict:
    """What the home page shows a signed-in person: their cohorts, and their next steps in each of their roles
    (their plans as a student, their reviews as an instructor, their assignments as a course leader), and for an
    administrator the way to administration (cohorts, people, the audit log, the learning platforms that launch
    Care Plan Lab) instead of a join code."""
    cohorts = cohorts_of(user)
    roles = {role for _cohort, role in cohorts}
    return {"cohorts": cohorts,
            "plans": student_assignments(user) if Role.student in roles else [],
            "reviews": review_counts(user) if Role.instructor in roles else None,
            "leading": leader_home(user) if Role.leader in roles else ([], []),
            "administration": is_admin(user), "audit_log": can_read_full_log(user),
            "learning_platforms": can_manage_platforms(user)}


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means "not healthy"
        db.session.rollback()
        current_app.logger.warning("Health check failed: %s", exc)
        return jsonify({"status": "unavailable", "database": "unreachable",
                        "reason": exc.__class__.__name__ + ": " + str(exc).splitlines()[0][:200]}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.route("/locale", methods=["POST"])
def change_locale():
    form = LocaleForm()
    back = safe_next(form.next.data) or url_for("core.index")
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            set_locale(current_user._get_current_object(), form.locale.data)
            db.session.commit()
        return redirect(back)
    flash(_("Unknown language."), "error")
    return redirect(back)
