from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import policies, services
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, JoinForm, LoginForm, RegisterForm, ResetPasswordForm
from app.auth.models import normalise_email
from app.cohorts import services as cohort_services
from app.db import db
from app.errors import ValidationError
from app.extensions import limiter
from app.i18n import current_locale
from app.notifications import services as notification_services
from app.notifications.forms import EmailChoicesForm
from app.oidc.services import identities_of
from app.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_login_limit():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _sensitive_limit():
    return current_app.config["SENSITIVE_RATE_LIMIT"]


def _account_key():
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _account_address_key():
    return _account_key() + "|" + get_remote_address()


def _signed_in_account_key():
    return f"password-check:{getattr(current_user, 'id', '')}"


def _password_failed(response) -> bool:
    """Only a wrong password counts toward the limits: a sign-in that works (a whole class behind one address)
    never does."""
    return bool(g.get("password_failed"))


def start_session(user) -> None:
    # A fresh session at login: nothing from before the login carries over.
    session.clear()
    login_user(user)
    session.permanent = True


def _closed(title: str, message: str, status: int = 403):
    """A door this site has closed (LOCAL_LOGIN): what to do instead."""
    return render_template("auth/closed.html", title=title, message=message), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_password_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_address_key, deduct_when=_password_failed)
@limiter.limit(_account_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_password_failed)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("core.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if request.method == "POST" and not policies.passwords_allowed():
        return _closed(_("Sign in"), _("Passwords are not used on this site. Sign in with %(provider)s.",
                                       provider=policies.provider_name()))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            g.password_failed = True
            form.password.errors = [_("The e-mail address or the password is not correct.")]
        else:
            db.session.commit()
            start_session(user)
            return redirect(safe_next(form.next.data) or url_for("core.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("core.index"))


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
def join():
    code = request.args.get("code", "")
    if current_user.is_authenticated:
        form = JoinForm()
        if request.method == "GET" and code:
            form.join_code.data = code
        if form.validate_on_submit():
            try:
                member = cohort_services.join_with_code(current_user._get_current_object(), form.join_code.data)
            except ValidationError as exc:
                form.join_code.errors = [exc.message]
            else:
                db.session.commit()
                flash(_("You have joined %(cohort)s.", cohort=member.cohort.name), "success")
                return redirect(url_for("cohorts.detail", cohort_id=member.cohort_id))
        return render_template("auth/join_existing.html", form=form)

    if not policies.self_registration_allowed():
        return _closed(_("Join a cohort"), _("New accounts are made by invitation on this site: your course leader sends "
                                             "you a link by e-mail. If you already have an account, sign in and join "
                                             "with the code."), 403 if request.method == "POST" else 200)
    form = RegisterForm()
    if request.method == "GET" and code:
        form.join_code.data = code
    if form.validate_on_submit():
        started = time.perf_counter()
        try:
            cohort_services.register_with_code(
                form.join_code.data, form.name.data, form.email.data, form.password.data, locale=current_locale()
            )
        except services.EmailTaken:  # the same address joined by another request at this very moment (a second
            db.session.rollback()  # click): that request's account and e-mail stand, and the answer is the same
        except ValidationError as exc:
            if cohort_services.cohort_by_join_code(form.join_code.data) is None:
                form.join_code.errors = [exc.message]
            else:
                form.password.errors = [exc.message]
            return render_template("auth/join.html", form=form)
        db.session.commit()
        # The same answer, after the same time, whether the address was new or had an account (which is told to
        # its owner by e-mail): the page does not say who has an account.
        services.answer_no_sooner(started)
        return render_template("auth/join_sent.html", email=form.email.data)
    return render_template("auth/join.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
def forgot_password():
    if not policies.passwords_allowed():
        return _closed(_("Forgot your password?"), _("Passwords are not used on this site. Sign in with %(provider)s.",
                                                     provider=policies.provider_name()), 404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.perf_counter()
        services.request_password_reset(form.email.data)
        db.session.commit()
        services.answer_no_sooner(started)  # as long whether or not a link was sent
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
def reset_password(token: str):
    if not policies.passwords_allowed():
        return _closed(_("Choose a new password"), _("Passwords are not used on this site. Sign in with %(provider)s.",
                                                     provider=policies.provider_name()), 404)
    found = services.token_user(token)
    if found is None:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ValidationError as exc:
            form.password.errors = [exc.message]
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your password is set. You are signed in."), "success")
            return redirect(url_for("core.index"))
    return render_template("auth/reset.html", form=form, purpose=found.purpose)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"], key_func=_signed_in_account_key, deduct_when=_password_failed)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data, form.password.data)
        except ValidationError as exc:
            wrong = isinstance(exc, services.WrongPassword)
            g.password_failed = wrong
            (form.current if wrong else form.password).errors = [exc.message]
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, _email_form(current_user))


def _email_form(user) -> EmailChoicesForm:
    chosen = notification_services.email_choices(user)
    return EmailChoicesForm(formdata=None, data={EmailChoicesForm.field_name(kind): by_email
                                                 for kind, by_email in chosen.items()})


def _account_page(form: ChangePasswordForm, email_form: EmailChoicesForm, status: int = 200):
    choices = [(choice, email_form[EmailChoicesForm.field_name(choice.kind)])
               for choice in notification_services.choices_for(current_user)]
    return render_template("auth/account.html", form=form, email_form=email_form, email_choices=choices,
                           sign_ins=identities_of(current_user._get_current_object())), status


@bp.route("/account/notifications", methods=["POST"])
@login_required
def email_choices():
    """Which notifications also come by e-mail: only the kinds offered to this person are changed (an unticked box
    is sent as nothing at all, so each offered kind is read as ticked or not)."""
    user = current_user._get_current_object()
    email_form = EmailChoicesForm()
    if not email_form.validate_on_submit():
        return _account_page(ChangePasswordForm(formdata=None), email_form, 400)
    notification_services.set_email_choices(user, {
        choice.kind: bool(email_form[EmailChoicesForm.field_name(choice.kind)].data)
        for choice in notification_services.choices_for(user)})
    db.session.commit()
    flash(_("Your e-mail choices are saved."), "success")
    return redirect(url_for("auth.account", _anchor="email-title"))
