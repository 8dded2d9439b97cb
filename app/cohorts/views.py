from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assignments.services import assignments_of
from app.cohorts import enrolment, invitations, policies, services
from app.cohorts.forms import (
    AppointForm,
    CohortForm,
    ConfirmForm,
    EnrolConfirmForm,
    EnrolUploadForm,
    InviteForm,
    RoleForm,
    StudentNumberForm,
)
from app.cohorts.models import Cohort, Role
from app.db import db
from app.errors import ValidationError
from app.extensions import limiter
from app.policies import require, require_in_cohort

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts", template_folder="templates")


def load_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    require_in_cohort(cohort)
    return cohort


@bp.route("/")
@login_required
def index():
    mine = services.cohorts_of(current_user)
    everything = services.all_cohorts() if policies.is_admin(current_user) else []
    return render_template("cohorts/index.html", mine=mine, everything=everything)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(policies.can_create_cohorts(current_user))
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(form.name.data, form.description.data, actor=current_user)
        except ValidationError as exc:
            form.name.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Cohort %(name)s created. Now appoint a course leader.", name=cohort.name), "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/new.html", form=form)


def _detail_page(cohort: Cohort, status: int = 200, **forms):
    managing = policies.can_see_members(current_user, cohort)
    members = services.members_of(cohort) if managing else []
    sent = invitations.invitations_of(cohort) if managing else []
    forms.setdefault("appoint_form", AppointForm(formdata=None))
    forms.setdefault("invite_form", InviteForm(formdata=None))
    return render_template(
        "cohorts/detail.html", cohort=cohort, members=members, my_role=policies.role_in(current_user, cohort),
        role_form=RoleForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
        assignments=assignments_of(cohort), invitations=sent, invitation_status=invitations.status_label, **forms,
    ), status


@bp.route("/<int:cohort_id>")
@login_required
def detail(cohort_id: int):
    return _detail_page(load_cohort(cohort_id))


@bp.route("/<int:cohort_id>/join-code", methods=["POST"])
@login_required
def regenerate_join_code(cohort_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Make a new join code?"),
            message=_("The current code %(code)s stops working at once. People who already joined stay members.",
                      code=cohort.join_code),
            action=url_for("cohorts.regenerate_join_code", cohort_id=cohort.id), confirm_label=_("Make a new code"),
            cancel=url_for("cohorts.detail", cohort_id=cohort.id), hidden={},
        )
    code = services.regenerate_join_code(cohort, actor=current_user)
    db.session.commit()
    flash(_("The new join code is %(code)s.", code=code), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/members", methods=["POST"])
@login_required
def appoint(cohort_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    form = AppointForm()
    if form.validate_on_submit():
        try:
            member, created = services.appoint(
                cohort, form.email.data, form.name.data or "", Role(form.role.data), actor=current_user
            )
        except ValidationError as exc:
            form.name.errors = [exc.message]
        else:
            db.session.commit()
            if created:
                flash(_("%(name)s is now %(role)s. An invitation was sent to %(email)s.", name=member.user.name,
                        role=services.role_label(member.role), email=member.user.email), "success")
            else:
                flash(_("%(name)s is now %(role)s.", name=member.user.name,
                        role=services.role_label(member.role)), "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id) + "#members")
    return _detail_page(cohort, 400, appoint_form=form)


def _invite_limit():
    return current_app.config["INVITE_RATE_LIMIT"]


def _inviter_key():
    return f"invite:{getattr(current_user, 'id', '')}"


@bp.route("/<int:cohort_id>/invitations", methods=["POST"])
@login_required
@limiter.limit(_invite_limit, key_func=_inviter_key)
def invite(cohort_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(cohort, form.email.data, Role(form.role.data), actor=current_user,
                                            name=form.name.data or "")
        except ValidationError as exc:
            form.email.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("An invitation to join as %(role)s was sent to %(email)s.", role=services.role_label(invitation.role),
                    email=invitation.email), "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id) + "#invitations")
    return _detail_page(cohort, 400, invite_form=form)


@bp.route("/<int:cohort_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@login_required
@limiter.limit(_invite_limit, key_func=_inviter_key)
def resend_invitation(cohort_id: int, invitation_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    invitation = invitations.get_in_cohort(cohort, invitation_id)
    back = url_for("cohorts.detail", cohort_id=cohort.id) + "#invitations"
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        invitations.resend(invitation, actor=current_user)
    except ValidationError as exc:
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("A new invitation link was sent to %(email)s. The earlier link no longer works.",
            email=invitation.email), "success")
    return redirect(back)


@bp.route("/<int:cohort_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(cohort_id: int, invitation_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    invitation = invitations.get_in_cohort(cohort, invitation_id)
    back = url_for("cohorts.detail", cohort_id=cohort.id) + "#invitations"
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Revoke the invitation to %(email)s?", email=invitation.email),
            message=_("The link in the e-mail stops working at once. You can send a new invitation later."),
            action=url_for("cohorts.revoke_invitation", cohort_id=cohort.id, invitation_id=invitation.id),
            confirm_label=_("Revoke invitation"), cancel=back, hidden={},
        )
    try:
        invitations.revoke(invitation, actor=current_user)
    except ValidationError as exc:
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("The invitation to %(email)s is revoked.", email=invitation.email), "success")
    return redirect(back)


@bp.route("/<int:cohort_id>/members/<int:member_id>/role", methods=["POST"])
@login_required
def change_role(cohort_id: int, member_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    member = services.get_member(cohort, member_id)
    form = RoleForm()
    back = url_for("cohorts.detail", cohort_id=cohort.id) + "#members"
    if not form.validate_on_submit():
        flash(_("Choose one of the roles in the list."), "error")
        return redirect(back)
    new_role = Role(form.role.data)
    if new_role == member.role:
        flash(_("%(name)s already has that role.", name=member.user.name), "info")
        return redirect(back)
    if form.confirmed.data != "yes":
        return render_template(
            "confirm.html", form=form, title=_("Change role?"),
            message=_("Change %(name)s from %(old)s to %(new)s in %(cohort)s?", name=member.user.name,
                      old=services.role_label(member.role), new=services.role_label(new_role), cohort=cohort.name),
            action=url_for("cohorts.change_role", cohort_id=cohort.id, member_id=member.id),
            confirm_label=_("Change role"), cancel=back, hidden={"role": new_role.value},
        )
    try:
        services.change_role(member, new_role, actor=current_user)
    except ValidationError as exc:
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=member.user.name, role=services.role_label(new_role)), "success")
    return redirect(back)


@bp.route("/<int:cohort_id>/members/<int:member_id>/student-number", methods=["POST"])
@login_required
def set_student_number(cohort_id: int, member_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    member = services.get_member(cohort, member_id)
    form = StudentNumberForm()
    back = url_for("cohorts.detail", cohort_id=cohort.id) + f"#member-{member.id}"
    if not form.validate_on_submit():
        flash(_("A student number has at most %(n)d characters.", n=services.STUDENT_NUMBER_LENGTH), "error")
        return redirect(back)
    try:
        services.set_student_number(member, form.student_number.data, actor=current_user)
    except ValidationError as exc:
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    if member.student_number:
        flash(_("The student number of %(name)s is saved.", name=member.user.name), "success")
    else:
        flash(_("The student number of %(name)s is removed.", name=member.user.name), "success")
    return redirect(back)


@bp.route("/<int:cohort_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(cohort_id: int, member_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    member = services.get_member(cohort, member_id)
    form = ConfirmForm()
    back = url_for("cohorts.detail", cohort_id=cohort.id) + "#members"
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        left = services.removal_consequences(member)
        message = _("%(name)s will no longer be a member of %(cohort)s. Their account stays, and so do their "
                    "%(plans)d plan(s) with every version and review: course leaders still see them on the "
                    "progress pages.", name=member.user.name, cohort=cohort.name, plans=left["plans"])
        if left["open_reviews"]:
            message += " " + _("They still have %(n)d open review(s); allocate those plans to another instructor.",
                               n=left["open_reviews"])
        return render_template(
            "confirm.html", form=form, title=_("Remove %(name)s?", name=member.user.name), message=message,
            action=url_for("cohorts.remove_member", cohort_id=cohort.id, member_id=member.id),
            confirm_label=_("Remove from the cohort"), cancel=back, hidden={},
        )
    name = member.user.name
    try:
        services.remove_member(member, actor=current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s is no longer a member. Their plans and reviews are kept.", name=name), "success")
    return redirect(back)


@bp.route("/<int:cohort_id>/enrol", methods=["GET", "POST"])
@login_required
def enrol(cohort_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    form = EnrolUploadForm()
    if form.validate_on_submit():
        try:
            text = enrolment.read_upload(form.file.data.read(enrolment.MAX_BYTES + 1))
            preview = enrolment.preview(cohort, text)
        except ValidationError as exc:
            form.file.errors = [exc.message]
        else:
            return _preview_page(cohort, preview)
    return render_template("cohorts/enrol.html", cohort=cohort, form=form), (400 if form.errors else 200)


def _preview_page(cohort: Cohort, preview, status: int = 200, changed: str | None = None):
    confirm_form = EnrolConfirmForm(formdata=None, csv_text=enrolment.encode_text(preview.text),
                                    checksum=preview.checksum())
    return render_template("cohorts/enrol_preview.html", cohort=cohort, preview=preview, confirm_form=confirm_form,
                           outcomes=enrolment, changed=changed), status


@bp.route("/<int:cohort_id>/enrol/confirm", methods=["POST"])
@login_required
def enrol_confirm(cohort_id: int):
    cohort = load_cohort(cohort_id)
    require(policies.can_manage_cohort(current_user, cohort))
    form = EnrolConfirmForm()
    if not form.validate_on_submit():
        flash(_("The confirmation form expired. Upload the file again."), "error")
        return redirect(url_for("cohorts.enrol", cohort_id=cohort.id))
    try:
        text = enrolment.decode_text(form.csv_text.data)
        result = enrolment.enrol(cohort, text, form.checksum.data, actor=current_user)
    except enrolment.PreviewChanged as exc:
        db.session.rollback()
        return _preview_page(cohort, exc.preview, 409, changed=exc.message)
    except ValidationError as exc:
        db.session.rollback()
        upload = EnrolUploadForm(formdata=None)
        upload.file.errors = [exc.message]
        return render_template("cohorts/enrol.html", cohort=cohort, form=upload), 400
    db.session.commit()
    flash(_("Done: %(new)d new account(s) invited by e-mail, %(added)d existing account(s) added.",
            new=result.count(enrolment.NEW_ACCOUNT), added=result.count(enrolment.ADDED)), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id) + "#members")
