"""LTI 1.3: a learning platform's launches (OIDC login initiation, resource-link and deep-linking launches), the
tool's public keys and configuration, and the administrators' pages that register platforms."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs describe 3.2

from app.assignments import services as assignment_services
from app.assignments.forms import assignment_form, assignment_values
from app.assignments.models import Assignment
from app.audit.services import record
from app.auth.services import WrongPassword
from app.auth.views import start_session
from app.cohorts.forms import ConfirmForm
from app.cohorts.models import Role
from app.db import db, transactional
from app.errors import ValidationError
from app.extensions import csrf
from app.i18n import current_locale
from app.lti import config as tool_config
from app.lti import policies, services
from app.lti.forms import PickAssignmentForm, PlatformForm
from app.lti.models import LtiDeployment, LtiPlatform, LtiResourceLink
from app.lti.tool import DatabaseToolConf, key_set, registration_for
from app.oidc.forms import LinkForm
from app.oidc.services import ProviderPerson
from app.oidc.services import link as link_identity
from app.policies import require, require_in_cohort
from app.urls import external_url

bp = Blueprint("lti", __name__, template_folder="templates")

FRAMED = "lti_framed"  # the session began in a platform's frame: its cookie is SameSite=None; Secure; Partitioned
ANCESTORS = "lti_frame_ancestors"  # the platform's origins, allowed to frame this session's pages
DEEP_LINK = "lti_deep_link"
PENDING = "lti_link"
LINK_MINUTES = 15


class OIDCLogin(FlaskOIDCLogin):
    """pylti1p3's login initiation, with its cookies check as a page of this site (no inline script)."""

    cookie_check_template_name = "lti/cookies_check.html"


def refused(message: str, status: int = 403):
    """A readable page for a launch that could not go on; nothing was created."""
    db.session.rollback()
    return render_template("lti/refused.html", message=message), status


@bp.before_app_request
def allow_platform_frames() -> None:
    """Pages of a session begun by a launch may be shown inside the platform that launched it (and nowhere else)."""
    if session.get(FRAMED) and session.get(ANCESTORS):
        g.frame_ancestors = list(session[ANCESTORS])


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("https", "http") and parts.netloc else None


def _ancestors(platform: LtiPlatform, claims: dict[str, Any]) -> list[str]:
    urls = [platform.issuer, platform.auth_login_url,
            (claims.get(services.PRESENTATION_CLAIM) or {}).get("return_url"),
            (claims.get(services.DEEP_LINKING_CLAIM) or {}).get("deep_link_return_url"),
            *current_app.config["LTI_FRAME_ANCESTORS"]]
    return list(dict.fromkeys(origin for origin in map(_origin, urls) if origin))


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
@transactional  # the first launch makes the tool's signing key
def login():
    """OIDC login initiation: the platform sends the browser here first; it goes on to the platform's authorisation
    end with a fresh state (a cookie) and nonce (in the session)."""
    target = request.values.get("target_link_uri") or ""
    launch_url = external_url("lti.launch")
    if target and _origin(target) != _origin(launch_url):
        return refused(_("This link points somewhere other than Care Plan Lab."), 400)
    platform = DatabaseToolConf.platform(request.values.get("iss", ""), request.values.get("client_id"))
    if platform is not None:  # the cookies check page is shown inside the platform's frame
        _mark_framed(_ancestors(platform, {}))
        g.frame_ancestors = session[ANCESTORS]
    try:
        oidc_login = OIDCLogin(FlaskRequest(), DatabaseToolConf())
        if current_app.config["LTI_FRAME_COOKIES"]:
            oidc_login.enable_check_cookies(
                main_msg=_("Your browser does not let Care Plan Lab keep you signed in inside the course page."),
                click_msg=_("Open Care Plan Lab in a new window"), loading_msg=_("Opening Care Plan Lab…"))
        return oidc_login.redirect(launch_url)
    except (LtiException, OIDCException) as exc:
        current_app.logger.info("LTI login initiation refused: %s", exc)
        return refused(_("This learning platform is not registered with Care Plan Lab, or is switched off. Ask "
                         "the site's administrator."), 400)


@bp.route("/lti/launch", methods=["POST"])
@csrf.exempt
def launch():
    message_launch = FlaskMessageLaunch(FlaskRequest(), DatabaseToolConf())
    try:
        claims = dict(message_launch.get_launch_data())
    except (LtiException, OIDCException) as exc:
        current_app.logger.info("LTI launch refused: %s", exc)
        return refused(_launch_problem(str(exc)), 400)
    platform = DatabaseToolConf.platform(message_launch.get_iss(), message_launch.get_client_id())
    if platform is None:  # switched off since the login began
        return refused(_launch_problem("Registration not found."), 400)
    try:
        exp = claims.get("exp")
        services.check_nonce_unused(str(claims.get("nonce")), exp if isinstance(exp, int) else None)
        roles = services.lms_roles(claims)
        role = services.cohort_role(platform, roles)
        if role is None:
            raise services.LaunchRefused(_("Your role in this course is not one Care Plan Lab knows (learner, "
                                           "instructor, teaching assistant or administrator)."))
        person = services.person_of(platform, claims)
        if not message_launch.is_deep_link_launch():
            services.context_for(platform, claims, roles, actor=None)  # a learner in an unknown course stops here
        elif not roles.may_set_up_course:
            raise services.LaunchRefused(_("Only the course's instructors can add Care Plan Lab assignments to it."))
        outcome = services.account_for(person, current_locale())
    except services.LaunchRefused as exc:
        return refused(exc.message, exc.status)
    ancestors = _ancestors(platform, claims)
    if outcome.link_to is not None:
        db.session.commit()  # the nonce is spent
        session[PENDING] = {"person": person.as_dict(), "user_id": outcome.link_to.id, "at": time.time(),
                            "platform_id": platform.id, "claims": _kept_claims(claims)}
        _mark_framed(ancestors)
        return redirect(url_for("lti.link_account"))
    assert outcome.user is not None
    return _enter(platform, claims, outcome.user, ancestors, created=outcome.created)


def _kept_claims(claims: dict[str, Any]) -> dict[str, Any]:
    keep = (services.ROLES_CLAIM, services.CONTEXT_CLAIM, services.RESOURCE_LINK_CLAIM, services.DEPLOYMENT_CLAIM,
            services.CUSTOM_CLAIM, services.NRPS_CLAIM, services.AGS_CLAIM, services.DEEP_LINKING_CLAIM,
            services.PRESENTATION_CLAIM, "https://purl.imsglobal.org/spec/lti/claim/message_type")
    return {name: claims[name] for name in keep if name in claims}


def _mark_framed(ancestors: list[str]) -> None:
    session[FRAMED] = bool(current_app.config["LTI_FRAME_COOKIES"])
    session[ANCESTORS] = ancestors


def _enter(platform: LtiPlatform, claims: dict[str, Any], user, ancestors: list[str], *, created: bool = False):
    roles = services.lms_roles(claims)
    try:
        context = services.context_for(platform, claims, roles, actor=user)
        role = services.cohort_role(platform, roles)
        assert role is not None
        services.join(context, user, role)
        deep_link = claims.get(services.DEEP_LINKING_CLAIM)
        link = None if deep_link else services.resource_link_for(context, claims)
    except services.LaunchRefused as exc:
        return refused(exc.message, exc.status)
    record("lti.launch", actor=user, cohort=context.cohort, platform=platform.name,
           message=str(claims.get("https://purl.imsglobal.org/spec/lti/claim/message_type") or ""))
    db.session.commit()
    start_session(user)
    _mark_framed(ancestors)
    if created:
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    if deep_link:
        session[DEEP_LINK] = {"platform_id": platform.id, "context_id": context.id, "settings": deep_link,
                              "deployment_id": str(claims.get(services.DEPLOYMENT_CLAIM) or "")}
        return redirect(url_for("lti.deep_link"))
    if link is None:
        return redirect(url_for("cohorts.detail", cohort_id=context.cohort_id))
    if link.assignment_id is not None:
        return redirect(url_for("cases.assignment_case", assignment_id=link.assignment_id))
    return redirect(url_for("lti.set_up_link", link_id=link.id))


def _launch_problem(detail: str) -> str:
    detail = detail.lower()
    if "expired" in detail or "signature" in detail or "decode" in detail or "key" in detail:
        return _("The learning platform's launch could not be verified (it was not signed by the platform, or it "
                 "has expired). Open the link in your course again.")
    if "nonce" in detail or "state" in detail:
        return _("The launch could not be matched with the sign-in it began with: it was already used, it was "
                 "opened in another window, or your browser blocked the cookie it needs. Open the link in your "
                 "course again.")
    if "deployment" in detail:
        return _("This installation of Care Plan Lab in your learning platform is not registered here. Ask the "
                 "site's administrator to add its deployment id.")
    return _("This learning platform is not registered with Care Plan Lab, or is switched off. Ask the site's "
             "administrator.")


@bp.route("/lti/link-account", methods=["GET", "POST"])
def link_account():
    """An account here has the address the platform sent: its owner links it once with its password."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > LINK_MINUTES * 60:
        session.pop(PENDING, None)
        return refused(_("The launch took too long. Open the link in your course again."), 400)
    from app.auth.models import User

    user = db.session.get(User, pending["user_id"])
    platform = db.session.get(LtiPlatform, pending["platform_id"])
    if user is None or platform is None:
        session.pop(PENDING, None)
        return refused(_("The launch took too long. Open the link in your course again."), 400)
    person = ProviderPerson.from_dict(pending["person"])
    form = LinkForm()
    if form.validate_on_submit():
        if form.cancel.data:
            session.pop(PENDING, None)
            return refused(_("Nothing was linked. You are not signed in."), 200)
        try:
            link_identity(user, person, form.password.data)
        except WrongPassword as exc:
            form.password.errors = [exc.message]
        except ValidationError as exc:
            return refused(exc.message or "", 409)
        else:
            ancestors = list(session.get(ANCESTORS) or [])
            session.pop(PENDING, None)
            return _enter(platform, pending["claims"], user, ancestors)
    return render_template("lti/link_account.html", form=form, user=user, platform=platform,
                           has_password=bool(user.password_hash)), (400 if form.errors else 200)


# --- a resource link without an assignment ---------------------------------------------------------------------

@bp.route("/lti/links/<int:link_id>", methods=["GET", "POST"])
@login_required
def set_up_link(link_id: int):
    link = db.session.get(LtiResourceLink, link_id)
    if link is None:
        abort(404)
    cohort = link.context.cohort
    require_in_cohort(cohort)
    if not policies.can_link_assignments(current_user, cohort):
        return render_template("lti/not_set_up.html", link=link), 403
    if link.assignment_id is not None:
        return redirect(url_for("cases.assignment_case", assignment_id=link.assignment_id))
    form = PickAssignmentForm()
    form.assignment_id.choices = [SelectChoice(a.id, a.title) for a in assignment_services.assignments_of(cohort)]
    if form.assignment_id.choices and form.validate_on_submit():
        services.attach(link, db.session.get(Assignment, form.assignment_id.data), actor=current_user)
        db.session.commit()
        flash(_("The link now opens \"%(title)s\".", title=link.assignment.title), "success")
        return redirect(url_for("cases.assignment_case", assignment_id=link.assignment_id))
    return render_template("lti/set_up_link.html", link=link, cohort=cohort, form=form), (400 if form.errors else 200)


# --- deep linking ------------------------------------------------------------------------------------------------

def _deep_link_request():
    pending = session.get(DEEP_LINK)
    if not pending:
        abort(404)
    from app.lti.models import LtiContext

    context = db.session.get(LtiContext, pending["context_id"])
    platform = db.session.get(LtiPlatform, pending["platform_id"])
    if context is None or platform is None:
        abort(404)
    require_in_cohort(context.cohort)
    require(policies.can_link_assignments(current_user, context.cohort))
    return pending, context, platform


@bp.route("/lti/deep-link", methods=["GET", "POST"])
@login_required
def deep_link():
    """An instructor chooses (or makes) the assignment the new link in the course opens."""
    pending, context, platform = _deep_link_request()
    cohort = context.cohort
    pick = PickAssignmentForm(prefix="pick")
    pick.assignment_id.choices = [SelectChoice(a.id, a.title) for a in assignment_services.assignments_of(cohort)]
    create = assignment_form()
    create.meta.csrf = True
    chosen = None
    if request.method == "POST" and request.form.get("action") == "pick":
        if pick.validate_on_submit():
            chosen = db.session.get(Assignment, pick.assignment_id.data)
    elif request.method == "POST" and request.form.get("action") == "create":
        require(policies.can_create_assignments(current_user, cohort))
        if create.validate_on_submit():
            try:
                chosen = assignment_services.create_assignment(cohort, current_user, **assignment_values(create))
            except ValidationError as exc:
                create.title.errors = list(create.title.errors) + [exc.message]
    if chosen is not None:
        db.session.commit()
        return _deep_link_response(pending, platform, chosen)
    failed = bool(pick.errors or create.errors)
    return render_template("lti/deep_link.html", cohort=cohort, pick=pick, create=create,
                           may_create=policies.can_create_assignments(current_user, cohort),
                           has_content=bool(create.case_version_id.choices)), (400 if failed else 200)


def _deep_link_response(pending: dict, platform: LtiPlatform, assignment: Assignment):
    settings = pending["settings"]
    line_item = (LineItem().set_label(assignment.title).set_score_maximum(100)
                 .set_resource_id(str(assignment.id)))
    resource = (DeepLinkResource().set_url(external_url("lti.launch")).set_title(assignment.title)
                .set_custom_params({"assignment_id": str(assignment.id)}).set_lineitem(line_item))
    jwt_value = DeepLink(registration_for(platform), pending["deployment_id"], settings).get_response_jwt([resource])
    session.pop(DEEP_LINK, None)
    record("lti.deep_link", actor=current_user, cohort=assignment.cohort, subject=assignment)
    db.session.commit()
    return_url = settings["deep_link_return_url"]
    g.form_action = [_origin(return_url)]
    return render_template("lti/deep_link_response.html", return_url=return_url, jwt=jwt_value,
                           assignment=assignment)


# --- the tool's keys and configuration ---------------------------------------------------------------------------

@bp.route("/lti/jwks")
@transactional  # the first request makes the key
def jwks():
    response = jsonify(key_set())
    db.session.commit()  # the first key, made on this request
    return response


@bp.route("/lti/config")
def config():
    values = tool_config.tool_values()
    if request.args.get("format") == "json":
        return jsonify(tool_config.canvas_json())
    return render_template("lti/config.html", values=values, canvas=tool_config.canvas_json_text())


# --- administrators: platforms -----------------------------------------------------------------------------------

def _admin() -> None:
    require(policies.can_manage_platforms(current_user))


def _platform(platform_id: int) -> LtiPlatform:
    _admin()
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        abort(404)
    return platform


@bp.route("/lti/platforms")
@login_required
def platforms():
    _admin()
    return render_template("lti/platforms.html", platforms=services.platforms(), values=tool_config.tool_values())


def _save(form: PlatformForm, platform: LtiPlatform) -> None:
    for name in ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url"):
        setattr(platform, name, (getattr(form, name).data or "").strip())
    platform.auth_audience = (form.auth_audience.data or "").strip() or None
    platform.staff_role = Role(form.staff_role.data)
    platform.send_scores = bool(form.send_scores.data)
    platform.active = bool(form.active.data)
    wanted = form.deployments()
    for deployment in list(platform.deployments):
        if deployment.deployment_id not in wanted:
            platform.deployments.remove(deployment)
    have = {deployment.deployment_id for deployment in platform.deployments}
    platform.deployments.extend(LtiDeployment(deployment_id=value) for value in wanted if value not in have)


def _taken(form: PlatformForm, platform_id: int | None) -> bool:
    found = db.session.scalar(db.select(LtiPlatform.id).where(LtiPlatform.issuer == form.issuer.data.strip(),
                                                              LtiPlatform.client_id == form.client_id.data.strip()))
    if found is not None and found != platform_id:
        form.client_id.errors = [_("A platform with this issuer and client id is already registered.")]
        return True
    return False


@bp.route("/lti/platforms/new", methods=["GET", "POST"])
@login_required
def new_platform():
    _admin()
    form = PlatformForm()
    if form.validate_on_submit() and not _taken(form, None):
        platform = LtiPlatform(created_by_id=current_user.id)
        _save(form, platform)
        db.session.add(platform)
        db.session.flush()
        record("lti.platform_added", actor=current_user, subject=platform, name=platform.name)
        db.session.commit()
        flash(_("%(name)s is registered.", name=platform.name), "success")
        return redirect(url_for("lti.platforms"))
    return render_template("lti/platform_form.html", form=form, platform=None), (400 if form.errors else 200)


@bp.route("/lti/platforms/<int:platform_id>/edit", methods=["GET", "POST"])
@login_required
def edit_platform(platform_id: int):
    platform = _platform(platform_id)
    form = PlatformForm(obj=platform)
    if not form.is_submitted():
        form.staff_role.data = platform.staff_role.value
        form.deployment_ids.data = "\n".join(d.deployment_id for d in platform.deployments)
    if form.validate_on_submit() and not _taken(form, platform.id):
        _save(form, platform)
        record("lti.platform_changed", actor=current_user, subject=platform, name=platform.name)
        db.session.commit()
        flash(_("%(name)s is saved.", name=platform.name), "success")
        return redirect(url_for("lti.platforms"))
    return render_template("lti/platform_form.html", form=form, platform=platform), (400 if form.errors else 200)


@bp.route("/lti/platforms/<int:platform_id>/active", methods=["POST"])
@login_required
def switch_platform(platform_id: int):
    platform = _platform(platform_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        platform.active = not platform.active
        record("lti.platform_switched", actor=current_user, subject=platform, active=platform.active)
        db.session.commit()
        flash(_("Launches from %(name)s are accepted again.", name=platform.name) if platform.active else
              _("Launches from %(name)s are refused until you switch it on again.", name=platform.name), "success")
    return redirect(url_for("lti.platforms"))


@bp.route("/lti/platforms/<int:platform_id>/delete", methods=["POST"])
@login_required
def delete_platform(platform_id: int):
    platform = _platform(platform_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Delete %(name)s?", name=platform.name),
            message=_("Launches from it are refused, and its courses are no longer linked to their cohorts. The "
                      "cohorts, their members, plans and reviews stay. To stop launches for a while, switch it off "
                      "instead."),
            action=url_for("lti.delete_platform", platform_id=platform.id),
            confirm_label=_("Delete the platform"), cancel=url_for("lti.platforms"), hidden={})
    record("lti.platform_deleted", actor=current_user, name=platform.name, issuer=platform.issuer)
    db.session.delete(platform)
    db.session.commit()
    flash(_("The platform is deleted."), "success")
    return redirect(url_for("lti.platforms"))


# --- dynamic registration ----------------------------------------------------------------------------------------

@bp.route("/lti/register", methods=["GET", "POST"])
@login_required
def register():
    """The platform opens this with its configuration's address and a one-time token; an administrator signed in
    here confirms, and the tool registers itself with the platform."""
    _admin()
    from pylti1p3.exception import LtiServiceException

    from app.lti.registration import ToolRegistration

    openid_configuration = request.values.get("openid_configuration", "")
    token = request.values.get("registration_token") or None
    if _origin(openid_configuration) is None:
        return refused(_("The platform did not give the address of its configuration. Start the registration "
                         "from the platform again."), 400)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        registration = ToolRegistration(openid_configuration, token, current_user)
        try:
            registration.register()
        except (LtiException, LtiServiceException, ValidationError, AssertionError, ValueError,
                requests.RequestException) as exc:
            current_app.logger.warning("LTI dynamic registration failed: %s", exc)
            message = getattr(exc, "message", None) if isinstance(exc, ValidationError) else None
            return refused(message or _("The platform did not accept the registration. Start it again from the "
                                        "platform, or register it by hand."), 502)
        db.session.commit()
        platform = registration.platform
        assert platform is not None
        g.post_message_close = True
        return render_template("lti/registered.html", platform=platform)
    return render_template("lti/register.html", form=form, origin=_origin(openid_configuration),
                           openid_configuration=openid_configuration, token=token or "")
