"""The plan's pages: the editor, saving, submitting and withdrawing, the history, versions and their comparison, print
and PDF. Each view loads (`app.plans.queries`), checks (`app.plans.policies`), acts (`app.plans.services`)."""
from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required
from jinja2.filters import do_truncate
from markupsafe import Markup

from app.assignments.models import Assignment
from app.db import begin_transaction, db, one_statement, transactional, utcnow
from app.errors import DomainError, ValidationError, error_response
from app.extensions import limiter
from app.fragments import fingerprint, kept
from app.i18n import current_locale, time_of_day
from app.macros import register_shared_macros
from app.markdown import render_markdown
from app.plans import conflicts, policies, queries, services, structured, workflow
from app.plans.content import LIMITS, SECTION_BY_KEY, SECTIONS, ContentProblem, form_content, normalise, over_limits
from app.plans.diff import diff_plans
from app.plans.models import Plan, PlanVersion
from app.plans.pdf import Bounds, OverBudget, PageOverBudget, PageSize, PdfRefused, check_budget, render_bounded
from app.plans.printing import print_context
from app.plans.states import PlanState, label_of
from app.policies import require_in_cohort
from app.reading import reading_language
from app.signin import account_only

bp = Blueprint("plans", __name__, template_folder="templates")
# The state badge, the plan's own menu and its text as it reads, called by the pages of plans and of reviews.
bp.record_once(lambda state: register_shared_macros(state.app, "plans/_content.html", "state_badge", "plan_nav",
                                                     "plan_content"))

MAX_JSON_BYTES = 512 * 1024
# While another request renders a version's PDF, its waiting page asks again every this many seconds.
PDF_WAIT_REFRESH = 3


def _version(plan: Plan, number: int) -> PlanVersion:
    found = queries.version_of(plan, number)
    if found is None:
        abort(404)
    return found


@bp.app_template_global()
def plan_can(plan, action) -> bool:
    return workflow.can(plan, action, current_user)


@bp.app_template_global()
def state_label(state) -> str:
    return label_of(state)


@bp.app_template_global()
def section_title(key: str) -> str:
    return str(SECTION_BY_KEY[key].title)


@bp.app_template_global()
def plan_language_name(code: str) -> str:
    """A plan's language named in the reader's language ("Norwegian Bokmål", "engelsk")."""
    return services.language_name(code)


@bp.app_template_global()
def case_side_panel(plan, lang: str) -> Markup:
    """The case and the rubric beside a plan: the same for everyone writing on that case version."""
    return side_panel_for(plan.case_version, plan.rubric_version, lang)


def side_panel_for(case, rubric, lang: str) -> Markup:
    return kept("content", ("side panel", case.fingerprint, rubric.fingerprint, lang), "plans/_side.html",
                "side_panel", lambda: (case, case.documents_for(teachers=False), rubric, lang))


@bp.app_template_global()
def editor_sections(content: dict, lang: str, content_print: str | None = None) -> Markup:
    """The editor's sections, goals and measures for this text, its fields marked as written in `lang` (the plan's
    language): kept per text and language, since a student opens the same plan again and again between saves.
    `content_print`: the text's fingerprint, where the page has it already."""
    return kept("plans", ("editor", content_print or fingerprint(content), lang), "plans/_editor.html",
                "editor_sections", lambda: (content, SECTIONS, goal_choices(content), LIMITS, over_limits(content), lang))


@bp.app_template_global()
def plan_content_html(content: dict, lang: str) -> Markup:
    """A plan's text as it reads (sections in order, goals and measures as tables), its passages marked as written
    in `lang` (the plan's or the version's language, which screen readers then pronounce); kept per text."""
    return kept("plans", ("read", fingerprint(content), lang), "plans/_content.html", "plan_content",
                lambda: (content, SECTIONS, lang))


@bp.app_template_global()
def draft_as_shared_plan(plan, person: str, draft_print: str | None = None) -> Markup:
    """What a shared digital plan would hold of the saved draft, its dates read as of today (`_draft_reading`), as
    the editor explains it: kept per text, day, plan language and the downloads it offers, since a student reopens
    the same draft again and again between saves."""
    today, language, versions = utcnow().date(), services.plan_language(plan), plan.number_of_versions
    draft = plan.draft
    key = ("draft as shared plan", draft_print or fingerprint(draft), today.isoformat(), language, person, plan.id,
           versions)
    return kept("plans", key, "plans/_structured.html", "structured_summary",
                lambda: (structured.carried(draft, today, language), person, plan.id, None, versions))


@bp.app_template_global()
def kept_plan_links(plan_id: int, versions: int, review: bool, current: str) -> Markup:
    """The plan's own menu (plan, feedback, review, history, …; `plan_links` in plans/_content.html), kept by what it
    shows: the plan, how many versions it has, whether the reader may open its review, and the page they are on."""
    return kept("plans", ("plan links", plan_id, versions, bool(review), current), "plans/_content.html", "plan_links",
                lambda: (plan_id, versions, bool(review), current))


EDITOR_PANELS = ("conflict_panel", "assistant", "messages")


@bp.app_template_global()
def editor_panel(name: str) -> Markup:
    """One of the editor's fixed panels (the conflict panel, the assistant, the messages its script shows): the
    same for every plan and person, in the interface language; kept once per language."""
    if name not in EDITOR_PANELS:
        raise ValueError(f"no editor panel {name!r}")
    return kept("content", ("editor panel",), "plans/_editor.html", name, lambda: ())


def goal_choices(content: dict) -> list[tuple[str, str]]:
    """What a measure's "serves goal" menu offers: each goal's id and "Goal n: the start of its words"."""
    env = current_app.jinja_env
    return [(goal["id"], _("Goal %(n)d", n=n) + ": " + do_truncate(env, goal.get("text") or "", 50))
            for n, goal in enumerate(content.get("goals", []), 1)]


@bp.route("/plans")
@login_required
def index():
    rows = queries.student_assignments(current_user)
    return render_template("plans/index.html", rows=rows)


@bp.route("/assignments/<int:assignment_id>/plan", methods=["POST"])
@login_required
def start(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    policies.require_student_of(current_user, assignment.cohort)
    # The plan's language as chosen beside "Start my plan" (the interface language unless the student chose another).
    language = request.form.get("language") or current_locale()
    plan = services.start_plan(assignment, current_user._get_current_object(), language)
    db.session.commit()
    return redirect(url_for("plans.show", plan_id=plan.id))


def _editor_context(plan: Plan, **extra):
    """What the plan's pages show beside the text: the case and rubric in the reader's language (`lang`); the text
    itself is in the plan's (`plan_lang`), as are its hints."""
    return dict(plan=plan, sections=SECTIONS, case=plan.case_version, lang=reading_language(plan.case_version),
                plan_lang=services.plan_language(plan), plan_languages=services.plan_languages(),
                rubric=plan.rubric_version, can_edit=policies.can_edit_plan(current_user, plan),
                is_owner=workflow.is_owner(plan, current_user), **extra)


@bp.route("/plans/<int:plan_id>", methods=["GET"])
@login_required
def show(plan_id: int):
    plan = policies.require_view(current_user, queries.plan_for_editor(plan_id))
    if policies.can_edit_plan(current_user, plan):
        # One fingerprint of the draft names it for every part kept of it: the rows, the shared-plan account, the base.
        draft_print = fingerprint(plan.draft)
        return render_template("plans/editor.html", content=plan.draft, draft_print=draft_print,
                               base=conflicts.base_of(plan.draft, draft_print), **_editor_context(plan))
    if policies.can_see_submitted_text(current_user, plan):
        shown, shown_lang = plan.latest_version.content, plan.latest_version.language
    else:
        shown, shown_lang = plan.draft, services.plan_language(plan)
    latest = plan.latest_version
    reading = structured.reading_of(latest) if latest is not None else _draft_reading(plan)
    return render_template("plans/view.html", content=shown, content_lang=shown_lang, structured_reading=reading,
                           **_editor_context(plan))


def _draft_reading(plan: Plan):
    """What a shared plan would hold of the saved draft, its dates read as if it were submitted today."""
    return structured.carried(plan.draft, utcnow().date(), services.plan_language(plan))


@bp.route("/plans/<int:plan_id>", methods=["POST"])
@login_required
def save_form(plan_id: int):
    """Saving without JavaScript: the editor is a plain form."""
    plan = policies.require_owner(current_user, queries.plan(plan_id))
    typed = form_content(request.form)
    token = request.form.get("save_token", type=int)
    try:
        content = normalise(typed)
    except ContentProblem as problem:
        if problem.field is None:
            raise ValidationError(_("The plan could not be saved: %(reason)s.", reason=str(problem))) from None
        # A text too long: the editor again, with everything as typed and the field marked, nothing cut or lost.
        return render_template("plans/editor.html", content=typed, base=conflicts.read_base(request.form.get("base")),
                               save_token=token, problem=problem,
                               problem_text=_("The plan could not be saved: %(reason)s.", reason=str(problem)),
                               **_editor_context(plan)), 400
    try:
        services.save_draft(plan, current_user, token, content)
    except services.DraftConflict as conflict:
        db.session.rollback()
        return _conflict_page(plan, content, conflict, conflicts.read_base(request.form.get("base")))
    return _saved_then(plan)


def _saved_then(plan: Plan):
    message = _("Saved at %(time)s.", time=time_of_day(plan.draft_saved_at))
    if request.form.get("then") == "language":
        return _change_language(plan, message)
    db.session.commit()
    flash(message, "success")
    if request.form.get("then") == "submit":
        return redirect(url_for("plans.submit", plan_id=plan.id))
    return redirect(url_for("plans.show", plan_id=plan.id))


def _change_language(plan: Plan, saved_message: str):
    """The plan's language changed by the editor's own form, so the text typed until then is saved with it."""
    try:
        changed = services.change_language(plan, current_user, request.form.get("language"))
    except DomainError as error:
        db.session.commit()  # the text is saved all the same
        flash(saved_message, "success")
        flash(error.message, "error")
        return redirect(url_for("plans.show", plan_id=plan.id))
    name = services.language_name(plan.language)
    db.session.commit()
    flash(saved_message, "success")
    if changed:
        flash(_("Language hints and plan checks are now in %(language)s.", language=name), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


def _conflict_page(plan: Plan, mine: dict, conflict: services.DraftConflict, base: dict | None):
    """Both texts, part by part, for a student saving without the editor's script: they choose and save again."""
    return render_template("plans/conflict.html", mine=mine, theirs=conflict.current, their_token=conflict.save_token,
                           saved_at=conflict.saved_at, parts=conflicts.parts(mine, conflict.current, base),
                           **_editor_context(plan)), 409


def _conflict_answer(conflict: services.DraftConflict) -> dict:
    return {"error": conflict.message, "conflict": True, "current": conflict.current, "save_token": conflict.save_token,
            "saved_at": conflict.saved_at.isoformat() if conflict.saved_at else None}


def _json_payload(limit: int):
    return request.get_json(silent=True) if (request.content_length or 0) <= limit else None


@bp.route("/plans/<int:plan_id>/conflict", methods=["POST"])
@login_required
def conflict_parts(plan_id: int):
    """The editor's conflict panel: the parts in which its text and the newer text differ, each beside the same
    part, with the side already chosen (from the base the editor sends: the text it last saved)."""
    plan = policies.require_owner(current_user, queries.plan(plan_id))
    payload = _json_payload(3 * MAX_JSON_BYTES)
    if not isinstance(payload, dict):
        return jsonify({"error": _("Send both texts as JSON: {\"mine\": {…}, \"theirs\": {…}}.")}), 400
    try:
        mine, theirs = normalise(payload.get("mine")), normalise(payload.get("theirs"))
    except ContentProblem as problem:
        return jsonify({"error": _("The plan could not be saved: %(reason)s.", reason=str(problem))}), 400
    found = conflicts.parts(mine, theirs, conflicts.read_base(payload.get("base")))
    html = get_template_attribute("plans/_conflict.html", "conflict_parts")(found, services.plan_language(plan))
    return jsonify({"html": str(html), "same": not found})


@bp.route("/plans/<int:plan_id>/resolve", methods=["POST"])
@login_required
def resolve(plan_id: int):
    """Save the student's choice after a conflict: from the editor's panel (JSON) or the conflict page (a form)."""
    plan = policies.require_owner(current_user, queries.plan(plan_id))
    as_json = request.is_json
    if as_json:
        payload = _json_payload(3 * MAX_JSON_BYTES)
        if not isinstance(payload, dict):
            return jsonify({"error": _("Send both texts as JSON: {\"mine\": {…}, \"theirs\": {…}}.")}), 400
        mine, theirs, token = payload.get("mine"), payload.get("theirs"), payload.get("save_token")
        use, choices = payload.get("use"), payload.get("choices")
    else:
        mine, theirs = form_content(request.form, "mine-"), form_content(request.form, "theirs-")
        token, use = request.form.get("save_token", type=int), request.form.get("use")
        choices = {key.removeprefix("choice-"): value for key, value in request.form.items()
                   if key.startswith("choice-")}
    try:
        chosen = services.resolve_conflict(plan, current_user, token, mine, theirs, use, choices)
    except services.DraftConflict as conflict:
        db.session.rollback()
        # Yet another save came first: the text just chosen against the newest, from what the student was shown.
        assert conflict.mine is not None
        base = conflicts.read_base(theirs)
        if as_json:
            return jsonify({**_conflict_answer(conflict), "mine": conflict.mine}), 409
        return _conflict_page(plan, conflict.mine, conflict, base)
    if not as_json:
        return _saved_then(plan)
    answer = {**_saved_answer(plan.save_token, plan.draft_saved_at, plan.state), "content": chosen}
    db.session.commit()
    return jsonify(answer)


@bp.route("/plans/<int:plan_id>/draft", methods=["POST"])
@account_only  # the usual save reads nothing but the account: its one statement checks who may write
@one_statement  # ... and that statement commits by itself
@login_required
def autosave(plan_id: int):
    payload = request.get_json(silent=True) if (request.content_length or 0) <= MAX_JSON_BYTES else None
    if isinstance(payload, dict):
        # The usual case, a student saving their own draft, is one conditional write, committed as it is made;
        # anything else takes the full way below, in a transaction, with the access checks first.
        saved = services.save_own_draft(plan_id, current_user, payload.get("save_token"), payload.get("content"))
        if saved is not None:
            return jsonify(_saved_answer(*saved, PlanState.draft))
    begin_transaction()
    plan = policies.require_owner(current_user, queries.plan_for_autosave(plan_id))
    if (request.content_length or 0) > MAX_JSON_BYTES:
        return jsonify({"error": _("The plan is too large to save.")}), 413
    if not isinstance(payload, dict):
        return jsonify({"error": _("Send the draft as JSON: {\"save_token\": n, \"content\": {…}}.")}), 400
    token = payload.get("save_token")
    try:
        services.save_draft(plan, current_user, token, payload.get("content"))
    except services.DraftConflict as conflict:
        db.session.rollback()
        return jsonify(_conflict_answer(conflict)), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify({"error": error.message, "state": plan.state.value}), error.status
    # The answer describes this save, so it is read before the commit: afterwards the row may already hold a
    # later save from another tab, and handing out that token would let this tab overwrite it unseen.
    answer = _saved_answer(plan.save_token, plan.draft_saved_at, plan.state)
    db.session.commit()
    return jsonify(answer)


def _saved_answer(token: int, saved_at, state: PlanState) -> dict:
    return {"save_token": token, "saved_at": saved_at.isoformat(),
            "saved_label": _("Saved %(time)s", time=time_of_day(saved_at)), "state": state.value}


@bp.route("/plans/<int:plan_id>/preview", methods=["POST"])
@login_required
def preview(plan_id: int):
    policies.require_view(current_user, queries.plan(plan_id))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        return jsonify({"error": _("Send {\"text\": \"…\"}.")}), 400
    if len(payload["text"]) > 50_000:
        return jsonify({"error": _("The text is too long to preview.")}), 413
    return jsonify({"html": str(render_markdown(payload["text"], heading_offset=2))})


def _confirm_or(plan, action_url, title, message, label, then):
    if request.form.get("confirmed") != "yes":
        return render_template("confirm.html", title=title, message=message, action=action_url,
                               confirm_label=label, cancel=url_for("plans.show", plan_id=plan.id),
                               hidden={"save_token": request.form.get("save_token", plan.save_token)}, form=None)
    return then()


@bp.route("/plans/<int:plan_id>/submit", methods=["GET", "POST"])
@login_required
def submit(plan_id: int):
    plan = policies.require_owner(current_user, queries.plan_for_submit(plan_id))
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        return render_template("plans/submit.html", problems=services.submission_problems(plan),
                               warnings=services.submission_warnings(plan), **_editor_context(plan))
    token = request.form.get("save_token", type=int)
    version = services.submit(plan, current_user._get_current_object(), token)
    message = _("Version %(n)d is submitted.%(late)s", n=version.number,
                late=(" " + _("It is marked late.")) if version.late else "")
    db.session.commit()  # (the message is made first: the commit leaves the version and plan to be read again)
    flash(message, "success")
    return redirect(url_for("plans.history", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/withdraw", methods=["POST"])
@login_required
def withdraw(plan_id: int):
    plan = policies.require_owner(current_user, queries.plan(plan_id))

    def done():
        version = services.withdraw(plan, current_user._get_current_object())
        message = _("Version %(n)d is withdrawn. Your draft is open for editing again.", n=version.number)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("plans.show", plan_id=plan_id))

    return _confirm_or(plan, url_for("plans.withdraw", plan_id=plan_id), _("Withdraw your submission?"),
                       _("Your plan goes back to draft so you can change it. The submitted version stays in the "
                         "history, marked withdrawn."), _("Withdraw"), done)


@bp.route("/plans/<int:plan_id>/history")
@login_required
def history(plan_id: int):
    plan = policies.require_view(current_user, queries.plan_for_history(plan_id))
    return render_template("plans/history.html", plan=plan, versions=list(reversed(plan.versions)),
                           version_status=services.version_status)


@bp.route("/plans/<int:plan_id>/versions/<int:number>")
@login_required
def version(plan_id: int, number: int):
    plan = policies.require_view(current_user, queries.plan(plan_id))
    found = _version(plan, number)
    return render_template("plans/version.html", plan=plan, version=found, content=found.content,
                           sections=SECTIONS, status=services.version_status(plan, found),
                           structured_reading=structured.reading_of(found),
                           reading_lang=reading_language(plan.rubric_version))


def _structured_download(plan: Plan, version: PlanVersion, document: dict, problems: list[str], kind: str,
                         mimetype: str):
    """A structured export as a file to keep. It is checked before it is sent: a file that breaks its schema is a
    fault of ours, answered as one (and logged), never handed on to another system."""
    if problems:
        current_app.logger.error("The %s export of plan %s version %s is not valid: %s", kind, plan.id,
                                 version.number, "; ".join(problems[:10]))
        return error_response(500, _("This export could not be made correctly. Please tell your course leader."))
    person = re.sub(r"[^a-z0-9]+", "-", plan.case_version.person_name.lower()).strip("-") or "person"
    name = f"care-plan-{person}-{plan.id}-v{version.number}.{kind}.json"
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return current_app.response_class(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-cache"})


@bp.route("/plans/<int:plan_id>/versions/<int:number>/fhir.json")
@login_required
def version_fhir(plan_id: int, number: int):
    """The version as an HL7 FHIR R4 Bundle (app/plans/structured), for whoever may read the version."""
    plan = policies.require_view(current_user, queries.plan(plan_id))
    found = _version(plan, number)
    bundle = structured.fhir_bundle(found)
    return _structured_download(plan, found, bundle, structured.fhir_problems(bundle), "fhir", "application/fhir+json")


@bp.route("/plans/<int:plan_id>/versions/<int:number>/sip.json")
@login_required
def version_sip(plan_id: int, number: int):
    """The version as a document following SIP's concepts (app/plans/structured), for whoever may read it."""
    plan = policies.require_view(current_user, queries.plan(plan_id))
    found = _version(plan, number)
    document = structured.sip_document(found)
    return _structured_download(plan, found, document, structured.sip_problems(document), "sip", "application/json")


@bp.route("/plans/<int:plan_id>/diff")
@login_required
def diff(plan_id: int):
    plan = policies.require_view(current_user, queries.plan(plan_id))
    numbers = [v.number for v in plan.versions]
    if len(numbers) < 2:
        return render_template("plans/diff.html", plan=plan, sections=None, numbers=numbers, old=None, new=None)
    old_n = request.args.get("from", type=int, default=numbers[-2])
    new_n = request.args.get("to", type=int, default=numbers[-1])
    if old_n not in numbers or new_n not in numbers:
        raise ValidationError(_("Choose two versions of this plan (it has versions %(list)s).",
                                list=", ".join(str(n) for n in numbers)))
    old, new = _version(plan, old_n), _version(plan, new_n)
    return render_template("plans/diff.html", plan=plan, sections=diff_plans(old.content, new.content),
                           numbers=numbers, old=old, new=new)


def _shown(plan: Plan, number: int | None) -> PlanVersion | None:
    """The version a print view or PDF shows: the one asked for (404 if there is none), else the latest."""
    return _version(plan, number) if number is not None else plan.latest_version


@bp.route("/plans/<int:plan_id>/print")
@bp.route("/plans/<int:plan_id>/versions/<int:number>/print")
@login_required
def print_view(plan_id: int, number: int | None = None):
    plan = policies.require_view(current_user, queries.plan(plan_id))
    return render_template("plans/print.html", for_pdf=False, **print_context(plan, _shown(plan, number)))


def _pdf_limit() -> str:
    return current_app.config["PDF_RATE_LIMIT"]


def _pdf_person() -> str:
    return f"pdf:{current_user.get_id()}"


def _pdf_refusal(plan: Plan, version: PlanVersion | None, reason: str, status: int, size: PageSize | None = None):
    """A clear page for a PDF that is not made, offering the browser's print view, which shows every plan."""
    response = current_app.response_class(render_template(
        "plans/pdf_refused.html", plan=plan, version=version, reason=reason, status=status,
        cells=format_number(size.cells) if size else None,
        chars=format_number(size.chars) if size and size.chars is not None else None,
        max_cells=format_number(current_app.config["PDF_MAX_TABLE_CELLS"]),
        max_chars=format_number(current_app.config["PDF_MAX_TEXT_CHARS"])),
        status=status)
    if status in (429, 503):
        response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RateLimitExceeded)
def _too_many_pdfs(error: RateLimitExceeded):
    if request.endpoint != "plans.pdf":
        return error_response(429)
    plan = queries.plan(request.view_args["plan_id"]) if request.view_args else None
    if plan is None or not policies.can_view_plan(current_user, plan):  # the same answer whether it exists or not
        return error_response(429)
    return _pdf_refusal(plan, None, "rate_limit", 429)


@bp.route("/plans/<int:plan_id>/pdf")
@transactional  # a submitted version's PDF is stored the first time it is asked for
@limiter.limit(_pdf_limit, key_func=_pdf_person, exempt_when=lambda: not current_user.is_authenticated,
               deduct_when=lambda response: response.status_code != 202)  # the waiting page's refreshes are free
@login_required
def pdf(plan_id: int):
    """The plan as PDF. A draft's is rendered each time; a submitted version's once, then served as stored. Any
    rendering is bounded (app/plans/pdf.py): a page past the budget or a PDF past the size bound answers 422, a
    rendering past the time bound 503, each with the print view offered instead; while another request renders
    the same version, 202 with a page that asks again by itself."""
    plan = policies.require_view(current_user, queries.plan(plan_id))
    number = request.args.get("version", type=int)
    context = print_context(plan, _shown(plan, number))
    version = context["version"]
    html = render_template("plans/print.html", for_pdf=True, **context)
    bounds = Bounds.from_config()
    try:
        check_budget(html, bounds)
    except PageOverBudget as over:
        return _pdf_refusal(plan, version, "too_large", 422, over.size)
    try:
        if version is None:
            data = render_bounded(html, current_app.static_folder or "", bounds)
        else:
            record, mine = services.claim_version_pdf(version, html, stale_after=bounds.timeout + 30,
                                                      retry_after=current_app.config["PDF_RETRY_AFTER"])
            db.session.commit()
            if mine:
                record = services.render_version_pdf(record.id, bounds)
            if record.state == "rendering":
                response = current_app.response_class(render_template(
                    "plans/pdf_preparing.html", plan=plan, version=version, url=request.full_path.rstrip("?"),
                    every=PDF_WAIT_REFRESH), status=202)
                response.headers["Cache-Control"] = "no-store"
                return response
            if record.state == "failed":
                return _pdf_refusal(plan, version, record.error or "failed", 422 if record.error == "too_large" else 503)
            data = record.data or b""
    except PdfRefused as refused:
        current_app.logger.warning("PDF of plan %s not made: %s", plan.id, refused)
        return _pdf_refusal(plan, version, refused.reason, 422 if isinstance(refused, OverBudget) else 503)
    name = f"care-plan-{plan.case_version.person_name.lower()}-{plan.id}"
    name += f"-v{version.number}" if version else "-draft"
    return current_app.response_class(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"'})
