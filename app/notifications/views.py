from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.db import db, transactional
from app.notifications import services
from app.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.app_context_processor
def unread_notifications():
    if getattr(current_user, "is_authenticated", False):
        return {"unread_notifications": services.unread_count(current_user)}
    return {"unread_notifications": 0}


@bp.route("/")
@login_required
def index():
    return render_template("notifications/index.html", notes=services.recent(current_user),
                           message_for=services.message_for)


@bp.route("/<int:notification_id>")
@transactional
@login_required
def open(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    services.mark_read(note)
    db.session.commit()
    if note.kind == "review_overdue":
        return redirect(url_for("reviews.queue"))
    if note.plan_id is None:
        return redirect(url_for("notifications.index"))
    if note.kind in ("submitted", "reassigned"):
        return redirect(url_for("reviews.review", plan_id=note.plan_id))
    if note.kind == "waiting":
        return redirect(url_for("reviews.allocation", assignment_id=note.plan.assignment_id))
    if note.kind == "second_opinion_asked":
        return redirect(url_for("reviews.second_opinion", plan_id=note.plan_id))
    if note.kind == "second_opinion_in":
        return redirect(url_for("reviews.resolve_second_opinion", plan_id=note.plan_id))
    if note.kind == "second_opinion_decided":  # the second instructor reads the decision beside their levels
        return redirect(url_for("reviews.second_opinion" if note.params.get("as_rater") else "reviews.review",
                                plan_id=note.plan_id))
    if note.kind == "student_replied" and note.params.get("version"):
        return redirect(url_for("plans.version", plan_id=note.plan_id, number=note.params["version"]))
    if note.kind in ("released", "completed"):
        return redirect(url_for("reviews.feedback", plan_id=note.plan_id))
    return redirect(url_for("plans.show", plan_id=note.plan_id))


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))
