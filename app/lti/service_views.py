"""A course leader's side of the LMS services: sync the cohort with the LMS course's members (preview, then apply),
and send again the scores the LMS has not accepted yet."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.cohorts import policies as cohort_policies
from app.cohorts.models import Cohort
from app.db import db, transactional
from app.lti import roster, scores
from app.lti.forms import RetryForm, RosterApplyForm
from app.policies import require, require_in_cohort

bp = Blueprint("lti_services", __name__, template_folder="templates")


def _managed_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    require_in_cohort(cohort)
    assert cohort is not None
    require(cohort_policies.can_manage_cohort(current_user, cohort))
    return cohort


@bp.app_template_global()
def lms_course_of(cohort: Cohort) -> dict | None:
    """For the cohort page: the linked LMS course, its last sync, and the scores not yet accepted."""
    context = roster.context_of(cohort.id)
    if context is None:
        return None
    return {"context": context, "platform": context.platform, "scores": scores.waiting_summary(cohort.id),
            "retry_form": RetryForm(formdata=None)}


def _preview_page(cohort: Cohort, context, *, changed: bool = False, status: int = 200):
    try:
        result = roster.preview(context, roster.fetch_members(context))
    except roster.RosterUnavailable as exc:
        roster.record_failure(context, str(exc))
        db.session.commit()
        return render_template("lti/roster.html", cohort=cohort, context=context, result=None, error=str(exc),
                               form=RosterApplyForm(formdata=None))
    db.session.commit()  # the tool's first signing key, when this request made it to ask for the service token
    form = RosterApplyForm(formdata=None, preview=result.fingerprint)
    return render_template("lti/roster.html", cohort=cohort, context=context, result=result, error=None,
                           form=form, changed=changed), status


@bp.route("/cohorts/<int:cohort_id>/lms/members")
@login_required
@transactional  # a failure to reach the LMS is kept on the course (and the tool's first signing key made)
def roster_preview(cohort_id: int):
    cohort = _managed_cohort(cohort_id)
    context = roster.context_of(cohort.id)
    if context is None:
        return render_template("lti/roster.html", cohort=cohort, context=None, result=None, error=None,
                               form=RosterApplyForm(formdata=None))
    return _preview_page(cohort, context)


@bp.route("/cohorts/<int:cohort_id>/lms/members", methods=["POST"])
@login_required
def roster_apply(cohort_id: int):
    cohort = _managed_cohort(cohort_id)
    context = roster.context_of(cohort.id)
    form = RosterApplyForm()
    if context is None or not form.validate_on_submit():
        flash(_("Nothing was changed. Open the member list again and confirm."), "error")
        return redirect(url_for("lti_services.roster_preview", cohort_id=cohort.id))
    try:
        result = roster.preview(context, roster.fetch_members(context))
    except roster.RosterUnavailable as exc:
        roster.record_failure(context, str(exc))
        db.session.commit()
        flash(_("The LMS did not give the course's members, so nothing was changed: %(error)s", error=str(exc)),
              "error")
        return redirect(url_for("lti_services.roster_preview", cohort_id=cohort.id))
    if result.fingerprint != form.preview.data:
        db.session.rollback()
        return _preview_page(cohort, context, changed=True, status=409)
    done = roster.apply(result, actor=current_user)
    db.session.commit()
    flash(_("Members synced with %(course)s: %(added)d added, %(changed)d role(s) changed, %(removed)d removed.",
            course=context.title or context.context_id, added=done["added"], changed=done["changed"],
            removed=done["removed"]), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/lms/scores/retry", methods=["POST"])
@login_required
def retry_scores(cohort_id: int):
    cohort = _managed_cohort(cohort_id)
    form = RetryForm()
    if form.validate_on_submit():
        count = scores.retry_now(cohort.id)
        db.session.commit()
        if count:
            flash(_("%(count)d score(s) are being sent to the LMS again.", count=count), "success")
        else:
            flash(_("Every score has reached the LMS; there is nothing to send again."), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id) + "#lms-course")
