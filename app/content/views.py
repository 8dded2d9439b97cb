"""Adding a case or a rubric from the browser: upload, see the checks and a preview, confirm the import."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.cases.services import diff_case_versions, reading_documents
from app.content import archive, policies, uploads
from app.content.forms import ConfirmImportForm, DiscardForm, UploadForm
from app.content.models import CASE
from app.content.services import ContentInvalid
from app.db import db
from app.extensions import csrf, limiter
from app.policies import require, require_found
from app.rubrics.services import diff_rubric_versions

bp = Blueprint("content", __name__, template_folder="templates")
bp.add_app_template_global(policies.can_import_content, "can_import_content")

# The multipart wrapping around the file (boundaries, the CSRF token) is small; anything past this is refused unread.
REQUEST_OVERHEAD = 64 * 1024


def _upload_limit() -> str:
    return current_app.config["CONTENT_UPLOAD_RATE_LIMIT"]


def _upload_person() -> str:
    return f"content-upload:{current_user.get_id()}"


def _too_large_message() -> str:
    return _("The file is larger than %(mb)s MB. A case's zip or a rubric is far smaller: check that you chose the "
             "right file.", mb=archive.megabytes(archive.MAX_UPLOAD_BYTES))


@bp.route("/library/import", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, after the request's size has been limited (see below)
@limiter.limit(_upload_limit, methods=["POST"], key_func=_upload_person,
               exempt_when=lambda: not current_user.is_authenticated)
@login_required
def upload():
    require(policies.can_import_content(current_user))
    # A too-large upload is refused before it is read: the form's own page says so, instead of a bare error.
    request.max_content_length = archive.MAX_UPLOAD_BYTES + REQUEST_OVERHEAD
    try:
        form = UploadForm()
    except RequestEntityTooLarge:
        form = UploadForm(formdata=None)
        form.file.errors = [_too_large_message()]
        return render_template("content/upload.html", form=form, check=None), 413
    if not form.validate_on_submit():
        return render_template("content/upload.html", form=form, check=None), (400 if form.errors else 200)
    data = form.file.data.read(archive.MAX_UPLOAD_BYTES + 1)
    filename = form.file.data.filename or ""
    if len(data) > archive.MAX_UPLOAD_BYTES:
        form.file.errors = [_too_large_message()]
        return render_template("content/upload.html", form=form, check=None), 413
    if not data:
        form.file.errors = [_("The file is empty.")]
        return render_template("content/upload.html", form=form, check=None), 400
    check = uploads.check_upload(data, filename)
    if check.errors:
        return render_template("content/upload.html", form=UploadForm(formdata=None), check=check), 400
    if check.action == uploads.UNCHANGED:
        return _preview_page(check, None)
    staged = uploads.stage_upload(data, filename, current_user)
    db.session.commit()
    return redirect(url_for("content.preview", upload_id=staged.token))


def _load_upload(upload_id: str):
    """The person's own upload waiting for confirmation: 403 to those who may not import, 404 to anyone else's."""
    require(policies.can_import_content(current_user))
    staged = uploads.staged_upload(upload_id)
    require_found(policies.can_use_upload(current_user, staged))
    return staged


def _expired():
    flash(_("That upload has expired. Upload the file again to import it."), "error")
    return redirect(url_for("content.upload"))


@bp.route("/library/import/<upload_id>")
@login_required
def preview(upload_id: str):
    staged = _load_upload(upload_id)
    if staged.has_expired():
        return _expired()
    check = uploads.check_upload(staged.data, staged.filename)
    if check.errors:  # the checks changed since it was staged; show them as for a new upload
        return render_template("content/upload.html", form=UploadForm(formdata=None), check=check), 400
    return _preview_page(check, staged)


def _preview_page(check: uploads.UploadCheck, staged, status: int = 200, changed: str | None = None):
    proposed = check.proposed
    assert proposed is not None  # a check without errors has a proposed version
    documents: dict[str, list] = {}
    changes: dict[str, object] = {}  # per language: a CaseDiff or a RubricDiff
    for lang in proposed.languages:
        if check.kind == CASE:
            documents[lang] = reading_documents(proposed, lang, teachers=True)  # type: ignore[arg-type]
            if check.current is not None:
                changes[lang] = diff_case_versions(check.current, proposed, lang)  # type: ignore[arg-type]
        elif check.current is not None:
            changes[lang] = diff_rubric_versions(check.current, proposed, lang)
    confirm = ConfirmImportForm(formdata=None, based_on=check.current_number)
    return render_template("content/preview.html", check=check, staged=staged, version=proposed,
                           documents=documents, changes=changes, confirm_form=confirm, discard_form=DiscardForm(),
                           changed=changed, actions=uploads), status


@bp.route("/library/import/<upload_id>/confirm", methods=["POST"])
@login_required
def confirm(upload_id: str):
    staged = _load_upload(upload_id)
    if staged.has_expired():
        return _expired()
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("The confirmation form expired. Check the preview and import again."), "error")
        return redirect(url_for("content.preview", upload_id=staged.token))
    try:
        check, outcomes = uploads.import_upload(staged, current_user, based_on=form.based_on.data)
    except uploads.PreviewChanged as exc:
        db.session.rollback()
        return _preview_page(exc.check, staged, 409, changed=exc.message)
    except ContentInvalid:
        db.session.rollback()
        return redirect(url_for("content.preview", upload_id=staged.token))
    db.session.commit()
    outcome = outcomes[0]
    if outcome.action == uploads.UNCHANGED:
        flash(_("Nothing was imported: version %(number)d is already the same.", number=outcome.version), "info")
    elif check.kind == CASE:
        flash(_("The case “%(slug)s” was imported as version %(number)d. Assignments and plans keep the version "
                "they were set with.", slug=outcome.slug, number=outcome.version), "success")
    else:
        flash(_("The rubric “%(slug)s” was imported as version %(number)d. Assignments and plans keep the version "
                "they were set with.", slug=outcome.slug, number=outcome.version), "success")
    if check.kind == CASE:
        return redirect(url_for("cases.case_detail", slug=outcome.slug))
    return redirect(url_for("rubrics.rubric_detail", slug=outcome.slug))


@bp.route("/library/import/<upload_id>/discard", methods=["POST"])
@login_required
def discard(upload_id: str):
    staged = _load_upload(upload_id)
    uploads.discard_upload(staged)
    db.session.commit()
    flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("cases.library"))
