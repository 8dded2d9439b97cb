from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.cohorts.policies import is_admin
from app.db import db, transactional
from app.errors import ValidationError
from app.policies import require, require_found
from app.privacy import services

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.route("/account/data")
@transactional
@login_required
def my_data():
    data = services.export_user_data(current_user._get_current_object())
    db.session.commit()
    return current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="care-plan-lab-my-data.json"'})


@bp.route("/admin/users")
@login_required
def users():
    require(is_admin(current_user))
    query = request.args.get("q", "")[:100]
    return render_template("privacy/users.html", users=services.search_users(query), q=query,
                           is_anonymised=services.is_anonymised)


def _admin_action(user_id: int, title: str, message: str, label: str, action, done: str, endpoint: str):
    require(is_admin(current_user))
    user = db.session.get(User, user_id)
    require_found(user)
    if request.form.get("confirmed") != "yes":
        return render_template("confirm.html", title=title, message=message % {"name": user.name, "email": user.email},
                               action=url_for(endpoint, user_id=user.id), confirm_label=label,
                               cancel=url_for("privacy.users"), hidden={}, form=None)
    try:
        action(user, current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("privacy.users"))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("privacy.users"))


@bp.route("/admin/users/<int:user_id>/anonymise", methods=["POST"])
@login_required
def anonymise(user_id: int):
    return _admin_action(
        user_id, _("Anonymise this account?"),
        _("%(name)s (%(email)s) loses their name, e-mail and password and can no longer sign in. Their plans and "
          "reviews stay, without their name, so the cohort's statistics stay true. This cannot be undone.",
          name="%(name)s", email="%(email)s"),
        _("Anonymise"), services.anonymise_user, _("The account is anonymised."), "privacy.anonymise")


@bp.route("/admin/users/<int:user_id>/delete", methods=["POST"])
@login_required
def delete(user_id: int):
    return _admin_action(
        user_id, _("Delete this account?"),
        _("%(name)s (%(email)s) is anonymised and removed from every cohort. Their past plans and reviews stay as "
          "anonymous records for the statistics. This cannot be undone.", name="%(name)s", email="%(email)s"),
        _("Delete account"), services.delete_user, _("The account is deleted."), "privacy.delete")
