from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.db import db
from app.errors import DomainError
from app.language import services
from app.language.core import LANGUAGES
from app.language.models import HintDismissal
from app.language.resource import check_plan
from app.plans import queries as plan_queries
from app.plans.content import ContentProblem, normalise
from app.plans.policies import require_owner, require_view
from app.plans.services import plan_language
from app.urls import is_db_int

bp = Blueprint("language", __name__, url_prefix="/language", template_folder="templates")

MAX_BODY = 256 * 1024


@bp.app_template_global()
def hint_category_label(category: str) -> str:
    return services.category_label(category)


@bp.app_template_global()
def language_summary(plan) -> dict:
    """What the assistant says of the whole draft, shown before submitting (never blocking)."""
    return services.submission_summary(plan)


def _error(message: str, status: int):
    return jsonify({"error": message}), status


@bp.route("/check", methods=["POST"])
@login_required
def check():
    """POST {"text", "lang"} → {"findings": [...], "lang": …}. With "plan_id", the text is checked in the plan's
    language (whatever "lang" says: a page opened before the language changed may still send the old one), and with
    "field" too, dismissed hints are marked."""
    if (request.content_length or 0) > MAX_BODY:
        return _error(_("The text is too long to check at once."), 413)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _error(_("Send JSON like {\"text\": \"…\", \"lang\": \"en\"}."), 400)
    text, lang = payload.get("text"), payload.get("lang", "en")
    if not isinstance(text, str):
        return _error(_("\"text\" must be a string."), 400)
    if lang not in LANGUAGES:
        return _error(_("\"lang\" must be one of: %(list)s.", list=", ".join(LANGUAGES)), 400)
    if len(text) > services.MAX_CHECK_CHARS:
        return _error(_("The text is too long to check at once."), 413)
    dismissals: Sequence[HintDismissal] = ()
    field = None
    plan_id = payload.get("plan_id")
    if plan_id is not None:
        if not is_db_int(plan_id):
            return _error(_("\"plan_id\" must be a number."), 400)
        plan = plan_queries.plan(plan_id)
        require_view(current_user, plan)
        lang = plan_language(plan)
        field = payload.get("field") if isinstance(payload.get("field"), str) else None
        dismissals = services.dismissals_for(plan.id)
    findings = services.check_field(text, lang, field=field, dismissals=dismissals)
    for finding in findings:
        finding["category_label"] = services.category_label(finding["category"])
    return jsonify({"findings": findings, "lang": lang})


@bp.route("/plans/<int:plan_id>/dismiss", methods=["POST"])
@login_required
def dismiss(plan_id: int):
    plan = plan_queries.plan(plan_id)
    require_owner(current_user, plan)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _error(_("Send the hint as JSON."), 400)
    try:
        dismissal = services.dismiss(plan, current_user, **{k: str(payload.get(k) or "") for k in
                                                            ("field", "rule", "text", "context", "reason")})
    except DomainError as error:
        db.session.rollback()
        return _error(error.message, error.status)
    db.session.commit()
    return jsonify({"id": dismissal.id, "reason": dismissal.reason}), 201


@bp.route("/plans/<int:plan_id>/plan-hints", methods=["POST"])
@login_required
def plan_hints(plan_id: int):
    """Resource-orientation hints for the plan as it stands in the editor."""
    plan = plan_queries.plan(plan_id)
    require_owner(current_user, plan)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _error(_("Send the plan as JSON."), 400)
    try:
        content = normalise(payload.get("content"))
    except ContentProblem as problem:
        return _error(str(problem), 400)
    lang = plan_language(plan)
    hints = check_plan(content, lang, plan.case_version.person_name)
    return jsonify({"plan_hints": services.labelled_plan_hints(content, hints, lang), "lang": lang})
