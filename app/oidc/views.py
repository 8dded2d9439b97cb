"""Sign in with Feide (or another OpenID Connect provider), link it to an existing account, and map course groups
to a cohort."""
from __future__ import annotations

import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from joserfc.errors import JoseError

from app.auth import policies as auth_policies
from app.auth.services import WrongPassword
from app.auth.views import start_session
from app.cohorts import invitations
from app.cohorts import policies as cohort_policies
from app.cohorts.forms import ConfirmForm
from app.cohorts.invitation_views import VIA_PROVIDER
from app.cohorts.models import Cohort, Role
from app.db import db, transactional
from app.errors import ValidationError
from app.extensions import limiter
from app.i18n import current_locale
from app.oidc import groups, services
from app.oidc.client import provider_client
from app.oidc.forms import GroupMappingForm, LinkForm
from app.oidc.models import GroupMapping
from app.policies import require, require_in_cohort
from app.urls import external_url, safe_next

bp = Blueprint("oidc", __name__, template_folder="templates")

NEXT = "oidc_next"
PENDING_LINK = "oidc_link"
LINK_MINUTES = 15


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return bool(g.get("sign_in_failed"))


def _pending_link_key():
    return f"link:{(session.get(PENDING_LINK) or {}).get('user_id', '')}"


def _require_provider() -> None:
    if not auth_policies.provider_configured():
        abort(404)


def _error(reason: str, status: int = 400):
    """A clear page with a way back; nothing was created."""
    g.sign_in_failed = True
    messages = {
        "denied": _("You did not allow %(provider)s to tell Care Plan Lab who you are, so you are not signed in.",
                    provider=auth_policies.provider_name()),
        "state": _("The sign-in could not be completed: it was started in another window, or took too long. "
                   "Please start again."),
        "token": _("%(provider)s's answer could not be verified, so you are not signed in. Please start again.",
                   provider=auth_policies.provider_name()),
        "down": _("%(provider)s is not answering right now. Please try again in a few minutes, or sign in with your "
                  "password if you have one.", provider=auth_policies.provider_name()),
    }
    return render_template("oidc/error.html", message=messages.get(reason, reason)), status


@bp.route("/login/oidc")
def start():
    _require_provider()
    session.pop(VIA_PROVIDER, None)
    next_path = safe_next(request.args.get("next"))
    token = request.args.get("invitation", "")
    if token:
        invitation = invitations.by_token(token)
        if invitation is not None and invitation.status == "pending":
            session[VIA_PROVIDER] = invitation.id
            next_path = url_for("invitations.accept", token=token)
    session[NEXT] = next_path
    try:
        return provider_client().authorize_redirect(external_url("oidc.callback"))
    except (requests.RequestException, AuthlibBaseError, JoseError, ValueError, RuntimeError) as exc:
        current_app.logger.warning("The sign-in provider did not answer: %s", exc)
        return _error("down", 502)


@bp.route("/login/oidc/callback")
@limiter.limit(_login_limit, deduct_when=_failed)
@transactional
def callback():
    _require_provider()
    client = provider_client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        issuer = client.load_server_metadata().get("issuer") or ""
        more = client.userinfo(token=token) if client.load_server_metadata().get("userinfo_endpoint") else {}
        if more.get("sub") == claims.get("sub"):
            claims = {**more, **claims}
    except MismatchingStateError:
        return _error("state")
    except OAuthError as exc:
        current_app.logger.info("Sign-in refused by the provider: %s", exc)
        return _error("denied" if exc.error == "access_denied" else "token")
    except (AuthlibBaseError, JoseError) as exc:
        current_app.logger.warning("The provider's token was refused: %s", exc)
        return _error("token")
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        current_app.logger.warning("The sign-in provider did not answer: %s", exc)
        return _error("down", 502)
    try:
        person = services.person_from_claims(claims, issuer)
    except ValidationError as exc:
        return _error(exc.message or "")
    invitation_id = session.get(VIA_PROVIDER)
    next_path = session.get(NEXT)
    may_create = current_app.config["FEIDE_SIGN_UP"] or invitation_id is not None
    outcome = services.sign_in(person, may_create=may_create, locale=current_locale())
    kinds = groups.fetch_group_kinds(token.get("access_token", "")) if outcome.refusal is None else None
    if outcome.refusal:
        db.session.rollback()
        return _error(outcome.refusal, 403)
    if outcome.link_to is not None:
        db.session.rollback()
        session[PENDING_LINK] = {"person": person.as_dict(), "user_id": outcome.link_to.id,
                                 "kinds": groups.mapped_only(kinds), "at": time.time()}
        return redirect(url_for("oidc.link"))
    assert outcome.user is not None
    return _finish(outcome.user, kinds, next_path, invitation_id, created=outcome.created)


def _finish(user, kinds, next_path, invitation_id, *, created: bool = False):
    changes = groups.sync_memberships(user, kinds)
    db.session.commit()
    start_session(user)
    if invitation_id is not None:
        session[VIA_PROVIDER] = invitation_id  # the invitation's page accepts it for this account
    if created:
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    if changes["added"]:
        flash(_("You were added to %(n)d cohort(s) from your course groups.", n=changes["added"]), "info")
    return redirect(safe_next(next_path) or url_for("core.index"))


def _pending():
    pending = session.get(PENDING_LINK)
    if not pending or time.time() - pending.get("at", 0) > LINK_MINUTES * 60:
        session.pop(PENDING_LINK, None)
        return None
    return pending


@bp.route("/login/oidc/link", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_pending_link_key, deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=get_remote_address, deduct_when=_failed)
def link():
    _require_provider()
    pending = _pending()
    if pending is None:
        return _error("state")
    from app.auth.models import User

    user = db.session.get(User, pending["user_id"])
    if user is None:
        session.pop(PENDING_LINK, None)
        return _error("state")
    person = services.ProviderPerson.from_dict(pending["person"])
    form = LinkForm()
    if form.validate_on_submit():
        if form.cancel.data:
            session.pop(PENDING_LINK, None)
            flash(_("Nothing was linked. You are not signed in."), "info")
            return redirect(url_for("auth.login"))
        try:
            services.link(user, person, form.password.data)
        except WrongPassword as exc:
            g.sign_in_failed = True
            form.password.errors = [exc.message]
        except ValidationError as exc:
            db.session.rollback()
            return _error(exc.message or "", 409)
        else:
            invitation_id = session.get(VIA_PROVIDER)
            next_path = session.get(NEXT)
            flash(_("Your %(provider)s sign-in is linked to your account. Next time, just sign in with %(provider)s.",
                    provider=auth_policies.provider_name()), "success")
            return _finish(user, pending.get("kinds"), next_path, invitation_id)
    return render_template("oidc/link.html", form=form, user=user, person=person,
                           has_password=bool(user.password_hash)), (400 if form.errors else 200)


# --- course groups -> cohorts ------------------------------------------------------------------------------------

def _managed_cohort(cohort_id: int) -> Cohort:
    _require_provider()
    cohort = db.session.get(Cohort, cohort_id)
    require_in_cohort(cohort)
    require(cohort_policies.can_manage_cohort(current_user, cohort))
    return cohort


def _role_or_none(value: str) -> Role | None:
    return Role(value) if value else None


@bp.route("/cohorts/<int:cohort_id>/groups", methods=["GET", "POST"])
@login_required
def group_mappings(cohort_id: int):
    cohort = _managed_cohort(cohort_id)
    form = GroupMappingForm()
    if form.validate_on_submit():
        try:
            mapping = groups.add_mapping(cohort, form.group_id.data, _role_or_none(form.student_role.data),
                                         _role_or_none(form.staff_role.data), actor=current_user)
        except ValidationError as exc:
            form.group_id.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("The group %(group)s now fills this cohort, from each person's next sign-in.",
                    group=mapping.group_id), "success")
            return redirect(url_for("oidc.group_mappings", cohort_id=cohort.id))
    mappings = groups.mappings_of(cohort)
    counts = {mapping.id: groups.members_from(mapping) for mapping in mappings}
    return render_template("oidc/groups.html", cohort=cohort, form=form, mappings=mappings, counts=counts), \
        (400 if form.errors else 200)


@bp.route("/cohorts/<int:cohort_id>/groups/<int:mapping_id>/delete", methods=["POST"])
@login_required
def delete_group_mapping(cohort_id: int, mapping_id: int):
    cohort = _managed_cohort(cohort_id)
    mapping = db.session.get(GroupMapping, mapping_id)
    if mapping is None or mapping.cohort_id != cohort.id:
        abort(404)
    back = url_for("oidc.group_mappings", cohort_id=cohort.id)
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Stop filling the cohort from %(group)s?", group=mapping.group_id),
            message=_("Nobody new joins from this group. The %(n)d member(s) who came from it stay in the cohort with "
                      "their roles, as if added by hand.", n=groups.members_from(mapping)),
            action=url_for("oidc.delete_group_mapping", cohort_id=cohort.id, mapping_id=mapping.id),
            confirm_label=_("Remove the mapping"), cancel=back, hidden={})
    groups.remove_mapping(mapping, actor=current_user)
    db.session.commit()
    flash(_("The mapping is removed. Its members stay in the cohort."), "success")
    return redirect(back)
