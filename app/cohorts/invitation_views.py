"""The page an invitation's link opens: accept with a new account, with the account one has, or with the provider."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import policies as auth_policies
from app.auth.services import EmailTaken
from app.auth.views import start_session
from app.cohorts import invitations
from app.cohorts.forms import AcceptInvitationForm, ConfirmForm
from app.cohorts.services import role_label
from app.db import db
from app.errors import ValidationError
from app.extensions import limiter
from app.i18n import current_locale

bp = Blueprint("invitations", __name__, template_folder="templates")

# Set when someone starts signing in with the provider from an invitation's page: the invitation they came from.
VIA_PROVIDER = "invitation_via_provider"


def _sensitive_limit():
    return current_app.config["SENSITIVE_RATE_LIMIT"]


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
def accept(token: str):
    invitation = invitations.by_token(token)
    if invitation is None:
        return render_template("invitations/unusable.html", status=None), 404
    status = invitation.status
    if status != "pending":
        if status == "accepted" and current_user.is_authenticated and invitation.accepted_by_id == current_user.id:
            return redirect(url_for("cohorts.detail", cohort_id=invitation.cohort_id))
        return render_template("invitations/unusable.html", status=status), 410
    if current_user.is_authenticated:
        return _accept_signed_in(invitation, token)
    return _accept_new(invitation, token)


def _accept_signed_in(invitation, token: str):
    user = current_user._get_current_object()
    via_provider = session.get(VIA_PROVIDER) == invitation.id
    if not via_provider and not invitations.is_for(invitation, user):
        # Someone else's browser or session: nothing happens, and the page says how to go on.
        return render_template("invitations/wrong_person.html", invitation=invitation), 409
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            member = invitations.accept(invitation, user, any_account=via_provider)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("invitations.accept", token=token))
        db.session.commit()
        session.pop(VIA_PROVIDER, None)
        flash(_("Welcome to %(cohort)s. You are %(role)s here.", cohort=invitation.cohort.name,
                role=role_label(member.role)), "success")
        return redirect(url_for("cohorts.detail", cohort_id=invitation.cohort_id))
    return render_template("invitations/accept_signed_in.html", invitation=invitation, form=form, token=token)


def _accept_new(invitation, token: str):
    has_account = invitations.account_exists(invitation)
    form = AcceptInvitationForm()
    if request.method == "GET" and not form.name.data:
        form.name.data = invitation.name
    if not has_account and auth_policies.passwords_allowed() and form.validate_on_submit():
        try:
            user = invitations.accept_with_new_account(invitation, form.name.data, form.password.data,
                                                       locale=current_locale())
        except EmailTaken:  # made in the meantime (a second click): sign in instead
            db.session.rollback()
            return redirect(url_for("invitations.accept", token=token))
        except invitations.InvitationUnusable:
            db.session.rollback()
            return render_template("invitations/unusable.html", status=invitation.status), 410
        except ValidationError as exc:
            db.session.rollback()
            form.password.errors = [exc.message]
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your account is ready. Welcome to %(cohort)s.", cohort=invitation.cohort.name), "success")
            return redirect(url_for("cohorts.detail", cohort_id=invitation.cohort_id))
    status = 400 if form.errors else 200
    return render_template("invitations/accept.html", invitation=invitation, form=form, token=token,
                           has_account=has_account), status
