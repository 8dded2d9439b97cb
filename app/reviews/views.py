"""Reviewing pages: the queues, allocation, the review page, release and completion, the student's feedback and
reflection, and the comment bank. Each view loads, checks (`app.reviews.policies`), acts (`app.reviews.services`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from app.assignments.models import Assignment
from app.auth.models import User
from app.db import db, utcnow
from app.errors import Conflict, DomainError, ValidationError
from app.fragments import fingerprint, kept
from app.i18n import current_locale, time_of_day
from app.macros import register_shared_macros
from app.plans import queries as plan_queries
from app.plans import workflow
from app.plans.content import SECTIONS
from app.plans.diff import diff_plans
from app.plans.models import Plan
from app.plans.policies import require_view
from app.plans.states import SecondOpinionState
from app.plans.workflow import SecondOpinionAction
from app.policies import require, require_in_cohort
from app.reading import reading_language
from app.reviews import policies, queries, second_opinions, services
from app.reviews.anchors import (
    anchor_choices,
    anchor_labels,
    anchor_texts,
    highlight,
    highlight_markdown,
    is_markdown,
    kept_anchor_labels,
    number_comments,
    shown_words,
)
from app.reviews.models import (
    HELPFUL_LABELS,
    HELPFUL_VALUES,
    INTENTION_OUTCOME_LABELS,
    INTENTION_OUTCOMES,
    REPLY_KIND_LABELS,
    REPLY_KINDS,
    AnchoredComment,
)
from app.urls import bounded_int, is_db_int, safe_next

bp = Blueprint("reviews", __name__, template_folder="templates")
# The student's answers to feedback (on the feedback, review, version and print pages) and the passages a comment
# can be put on.
bp.record_once(lambda state: register_shared_macros(state.app, "reviews/_answers.html", "answers", "answers_read"))
bp.record_once(lambda state: register_shared_macros(state.app, "reviews/_marked.html", "anchor_options"))
bp.add_app_template_filter(shown_words, "shown_words")  # a comment's passage, in the words people read


def case_for_teachers(case, lang: str) -> Markup:
    """The whole case with its teaching notes, kept per case version and language like the students' panel."""
    return kept("content", ("case for teachers", case.fingerprint, lang), "reviews/_case.html", "case_for_teachers",
                lambda: (case.documents_for(teachers=True), lang))


@bp.app_template_global()
def rubric_levels(rubric, criterion: dict, lang: str, checked: str | None, required: bool = False) -> Markup:
    """A criterion's levels to choose from on the review form or the second instructor's, `checked` chosen (and a
    choice `required`): kept per rubric version, language, criterion, chosen level and `required` (a rubric version
    never changes; its fingerprint is in the key all the same)."""
    chosen = checked if checked in rubric.level_keys() else ""  # what a form sent is one of them, or none

    def arguments() -> tuple:
        descriptors = criterion["descriptors"]
        levels = [(level["key"], rubric.level_title(level["key"], lang), _in(descriptors[level["key"]], lang))
                  for level in rubric.levels]
        return criterion["key"], levels, chosen, required

    return kept("content", ("rubric levels", rubric.id, rubric.fingerprint, lang, criterion["key"], chosen, required),
                "reviews/_levels.html", "levels_choice", arguments)


def passage_options(content: dict, content_print: str, labels: Mapping[str, str], selected: str | None) -> Markup:
    """The options of "Part of the plan" on the form "Comment on a passage": one per passage with words, `selected`
    chosen. Kept per text (its fingerprint), interface language (the labels') and chosen passage; a key the text
    does not have (a made-up form value) is kept as none chosen, so it never becomes an entry of its own."""
    chosen = selected if selected and selected in labels else ""
    return kept("content", ("passage options", content_print, chosen), "reviews/_marked.html", "anchor_options",
                lambda: (anchor_choices(content, labels), chosen))


def _in(texts: dict, lang: str) -> str:
    """The text in `lang`, else the first there is (as the rubric's pages show it)."""
    return texts[lang] if lang in texts else next(iter(texts.values()))


@bp.app_template_global("can_see_review_page")
def can_see_review_page_global(plan) -> bool:
    return policies.can_see_review_page(current_user, plan)


@bp.app_template_global()
def released_feedback(plan) -> list:
    """The reviews released so far on a plan (its printed form lists them). The template asks only where the plan
    itself may be read."""
    return services.released_reviews(plan)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


# --- queues and allocation -----------------------------------------------------------------------------

@bp.route("/reviews")
@login_required
def queue():
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= 100_000:
        page = 1
    unallocated, waiting = queries.unallocated_for_instructor(current_user, page)
    pages = max(1, -(-waiting // queries.OPEN_PER_PAGE))
    if page > pages:
        return redirect(url_for("reviews.queue", page=pages, _anchor="open-title"))
    return render_template("reviews/queue.html", mine=queries.my_queue(current_user),
                           unallocated=unallocated, waiting=waiting, page=page, pages=pages,
                           per_page=queries.OPEN_PER_PAGE, recent=queries.recently_reviewed(current_user),
                           leading=queries.leader_assignments(current_user), now_utc=utcnow())


def _load_plan_for_staff(plan_id: int) -> Plan:
    """A plan for cohort staff who may not read it yet: non-members and students get 404, others 403 later."""
    plan = plan_queries.plan(plan_id)
    require_in_cohort(plan.assignment.cohort if plan else None)
    policies.require_staff_of(current_user, plan)
    assert plan is not None
    return plan


@bp.route("/plans/<int:plan_id>/claim", methods=["POST"])
@login_required
def claim(plan_id: int):
    plan = _load_plan_for_staff(plan_id)
    require(policies.is_instructor_of(current_user, plan.assignment.cohort_id))
    services.claim(plan, current_user)
    message = _("The plan by %(name)s is yours to review.", name=plan.student.name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reviews.review", plan_id=plan_id))


def _load_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    require(policies.can_allocate(current_user, assignment.cohort))
    return assignment


@bp.route("/assignments/<int:assignment_id>/allocation")
@login_required
def allocation(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    return render_template("reviews/allocation.html", assignment=assignment,
                           waiting=services.waiting_plans(assignment), plans=queries.submitted_plans(assignment),
                           load=services.open_reviews_by_instructor(assignment.cohort_id),
                           instructors=queries.instructors(assignment.cohort_id))


@bp.route("/assignments/<int:assignment_id>/allocate-all", methods=["POST"])
@login_required
def allocate_all(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    done = services.allocate_all(assignment, current_user)
    db.session.commit()
    left = len(services.waiting_plans(assignment))
    if done or not left:
        flash(ngettext("%(num)d plan allocated.", "%(num)d plans allocated.", len(done)) if done
              else _("No plans were waiting."), "success")
    if left:  # their authors are the only instructors who could take them: nobody reviews their own plan
        flash(ngettext("%(num)d plan could not be allocated: its author is the only instructor who could review it.",
                       "%(num)d plans could not be allocated: their authors are the only instructors who could "
                       "review them.", left), "error")
    return redirect(url_for("reviews.allocation", assignment_id=assignment.id))


@bp.route("/plans/<int:plan_id>/allocate", methods=["POST"])
@login_required
def allocate(plan_id: int):
    plan = _load_plan_for_staff(plan_id)
    require(policies.can_allocate(current_user, plan.assignment.cohort))
    reviewer = db.session.get(User, request.form.get("reviewer_id", type=bounded_int) or 0)
    if reviewer is None:
        raise ValidationError(_("Choose a reviewer."))
    services.allocate(plan, reviewer, current_user)
    db.session.commit()
    flash(_("%(reviewer)s now reviews the plan by %(student)s.", reviewer=reviewer.name, student=plan.student.name),
          "success")
    return redirect(url_for("reviews.allocation", assignment_id=plan.assignment_id))


# --- the review page -----------------------------------------------------------------------------------

def marked_plan_html(content: dict, spans: tuple, lang: str, selectable: bool = False,
                     content_print: str | None = None) -> Markup:
    """A plan version as passages with its commented words highlighted, each passage marked as written in `lang`
    (the version's language), kept for each text and set of highlights: an instructor opens the same review again
    after every comment and every save. `content_print`: the text's fingerprint, where the page has it already."""
    def arguments() -> tuple:
        texts = anchor_texts(content)
        by_key: dict[str, list[tuple[int, int, int]]] = {}
        for key, start, end, number in spans:
            by_key.setdefault(key, []).append((start, end, number))
        marked = {key: (highlight_markdown if is_markdown(key) else highlight)(text, by_key.get(key, []))
                  for key, text in texts.items()}
        return content, marked, anchor_labels(content), SECTIONS, lang, selectable

    return kept("plans", ("marked plan", content_print or fingerprint(content), spans, lang, selectable),
                "reviews/_marked.html", "marked_plan", arguments)


def _text(data, name: str) -> str:
    """A field of a form or of a JSON object: text, or "" for anything else."""
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _position(value) -> int | None:
    """Where a selection starts in its passage, if the client said so sensibly."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 <= number <= 10**6 else None


@dataclass(frozen=True)
class ReviewFields:
    """What the review page's fields hold: the review as saved, or what the reviewer just sent when not all of it
    could be done (a comment that cannot be placed), so that the page shows it again."""

    levels: dict[str, str]
    comments: dict[str, str]
    overall: str
    intentions: dict[str, str] = field(default_factory=dict)  # the marks on the student's revision plan
    key: str = ""  # the comment on a passage, not yet added
    quote: str = ""
    start: str = ""
    body: str = ""
    bank_text: str = ""  # a comment for the bank, not yet saved there

    @classmethod
    def saved(cls, review) -> ReviewFields:
        scores = review.scores if review else []
        return cls({s.criterion_key: s.level_key or "" for s in scores}, {s.criterion_key: s.comment for s in scores},
                   review.overall if review else "", {s.criterion_key: s.intention_outcome or "" for s in scores})

    @classmethod
    def sent(cls, criteria, data) -> ReviewFields:
        """From the review form or the same names in JSON ("level-voice", "comment-voice", "overall", …)."""
        return cls({key: _text(data, f"level-{key}") for key in criteria},
                   {key: _text(data, f"comment-{key}") for key in criteria}, _text(data, "overall"),
                   {key: _text(data, f"intention-{key}") for key in criteria},
                   _text(data, "key"), _text(data, "quote"), _text(data, "start"), _text(data, "body"),
                   _text(data, "bank_text"))

    def scores(self) -> dict:
        return {key: {"level": level, "comment": self.comments.get(key, ""), "intention": self.intentions.get(key, "")}
                for key, level in self.levels.items()}

    def without_comment(self) -> ReviewFields:
        return replace(self, key="", quote="", start="", body="")


def _saved_label(saved) -> str:
    """"Saved 14:05" for a review or a reflection, at its last change."""
    return _("Saved %(time)s", time=time_of_day(saved.updated_at))


def _title(texts: dict, lang: str) -> str:
    return texts.get(lang) or next(iter(texts.values()), "")


def _differences(rubric, lang: str, mine: ReviewFields, theirs: ReviewFields) -> list[dict]:
    """Where two texts of a review differ (a level, a criterion's comment, the overall message), in the rubric's
    order: {"label", "mine", "theirs"}, levels by their titles."""
    def level(key: str) -> str:
        return rubric.level_title(key, lang) if key else ""

    rows = []
    for criterion in rubric.criteria:
        key, title = criterion["key"], _title(criterion["title"], lang)
        if (mine.levels.get(key) or "") != (theirs.levels.get(key) or ""):
            rows.append({"label": _("%(criterion)s: level", criterion=title),
                         "mine": level(mine.levels.get(key) or ""), "theirs": level(theirs.levels.get(key) or "")})
        if (mine.comments.get(key) or "").strip() != (theirs.comments.get(key) or "").strip():
            rows.append({"label": _("%(criterion)s: your comment", criterion=title),
                         "mine": mine.comments.get(key) or "", "theirs": theirs.comments.get(key) or ""})
        if (mine.intentions.get(key) or "") != (theirs.intentions.get(key) or ""):
            rows.append({"label": _("%(criterion)s: the student's revision plan", criterion=title),
                         "mine": str(INTENTION_OUTCOME_LABELS.get(mine.intentions.get(key) or "", "")),
                         "theirs": str(INTENTION_OUTCOME_LABELS.get(theirs.intentions.get(key) or "", ""))})
    if mine.overall.strip() != theirs.overall.strip():
        rows.append({"label": _("Overall message to the student"), "mine": mine.overall, "theirs": theirs.overall})
    return rows


def _render_review(page: queries.ReviewPage, fields: ReviewFields | None = None, errors: dict | None = None,
                   conflict: dict | None = None) -> str:
    """The review page. errors: what could not be done, by the id of the field to put right. conflict: a save
    refused because another tab or window saved the review since (its "differences"; "kept" once the newer
    version is in the form and what was typed is shown beside it)."""
    plan, version, review, previous = page.plan, page.version, page.review, page.previous
    assert version is not None
    numbered, spans = number_comments(version.content, review.comments if review else [])
    can_edit = policies.can_edit_review(current_user, plan)
    changed = [(s.key, s.title) for s in diff_plans(previous.version.content, version.content) if s.changed] \
        if previous else []
    content_print = fingerprint(version.content)
    labels = kept_anchor_labels(version.content, content_print)
    shown = fields or ReviewFields.saved(review)
    return render_template(
        "reviews/review.html", plan=plan, version=version, review=review, numbered=numbered,
        marked_plan=marked_plan_html(version.content, spans, version.language, can_edit, content_print),
        quote_lang=version.language,
        sections=SECTIONS, rubric=page.rubric, lang=reading_language(page.rubric), can_edit=can_edit,
        previous=previous, previous_comments=number_comments(version.content, previous.comments)[0] if previous else None,
        reflection=page.reflection, bank=queries.bank_texts_of(current_user) if can_edit else [], hints=version.hints or {},
        case=plan.case_version, labels=labels, fields=shown, errors=errors or {}, conflict=conflict,
        passage_options=passage_options(version.content, content_print, labels, shown.key),
        saved_label=_saved_label(review) if review else _("Not saved yet"),
        intentions=page.intentions, changed_sections=changed, outcomes=INTENTION_OUTCOMES,
    )


def _loaded_review_page(plan_id: int) -> queries.ReviewPage:
    page = queries.load_review_page(plan_id)
    policies.require_review_page(current_user, page.plan if page else None)
    assert page is not None
    if page.version is None:
        abort(404)
    return page


def _review_parts(plan_id: int) -> dict:
    """The parts of the review page a comment changes, for the page to put in place without reloading: the plan
    with its highlights and the numbered comments."""
    page = _loaded_review_page(plan_id)
    assert page.version is not None
    content = page.version.content
    numbered, spans = number_comments(content, page.review.comments if page.review else [])
    can_edit = policies.can_edit_review(current_user, page.plan)
    return {"plan_html": str(marked_plan_html(content, spans, page.version.language, can_edit)),
            "count": len(numbered),
            "comments_html": render_template("reviews/_comments.html", plan=page.plan, numbered=numbered,
                                             quote_lang=page.version.language,
                                             labels=anchor_labels(content), can_edit=can_edit)}


def _comment_error(error: DomainError) -> dict:
    """A comment that could not be added, by the field to put right."""
    field = "anchor-body" if getattr(error, "field", "") == "body" else "anchor-quote"
    return {field: error.message}


@bp.route("/plans/<int:plan_id>/review", methods=["GET"])
@login_required
def review(plan_id: int):
    return _render_review(_loaded_review_page(plan_id))


@bp.route("/plans/<int:plan_id>/review/case")
@login_required
def review_case(plan_id: int):
    """The review page's tab "The case": the plan's case with its teaching notes, for the page to fetch when the
    tab is first opened or the browser is idle, instead of sending 45 KB with every opening of the review page.
    Whoever may open the review page may read it. It is the same for every reader of that case version in that
    language (a fictional person, nobody's data), so under an address that names the version (`v`, its
    fingerprint) the browser may keep it for an hour; any other address is answered afresh."""
    plan = queries.plan_for_review_case(plan_id)
    policies.require_review_page(current_user, plan)
    assert plan is not None
    case = plan.case_version
    response = make_response(case_for_teachers(case, reading_language(case, request.args.get("lang"))))
    if request.args.get("v") == case.fingerprint:
        response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/plans/<int:plan_id>/review", methods=["POST"])
@login_required
def save(plan_id: int):
    """The review form. Every button on the review page sends all of it: the levels, criterion comments and
    overall message are saved first, then what the button asks for is done. Whatever was typed for a comment on a
    passage or for the comment bank is kept by any button, not only its own. What cannot be done is said on the
    page again, with everything that was typed still in its fields."""
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    require(policies.can_review(current_user, plan))
    fields = ReviewFields.sent(plan.rubric_version.criterion_keys(), request.form)
    then = request.form.get("then", "")
    token = request.form.get("save_token", type=bounded_int)
    if then == "load_newer":  # after a conflict: the newer version into the form, what was typed beside it
        page = _loaded_review_page(plan_id)
        newer = ReviewFields.saved(page.review)
        kept = {"kept": True, "differences": _differences(plan.rubric_version, reading_language(plan.rubric_version),
                                                          fields, newer)}
        return _render_review(page, replace(newer, key=fields.key, quote=fields.quote, start=fields.start,
                                            body=fields.body, bank_text=fields.bank_text), conflict=kept)
    try:
        services.save_review(plan, current_user, scores=fields.scores(), overall=fields.overall, save_token=token)
    except services.ReviewConflict:
        db.session.rollback()
        page = _loaded_review_page(plan_id)
        differences = _differences(plan.rubric_version, reading_language(plan.rubric_version), fields,
                                   ReviewFields.saved(page.review))
        return _render_review(page, fields, conflict={"kept": False, "differences": differences}), 409
    except DomainError as error:
        db.session.rollback()
        return _render_review(_loaded_review_page(plan_id), fields, {"rubric-title": error.message}), error.status
    db.session.commit()
    errors: dict[str, str] = {}
    anchor = ""
    if then == "comment" or fields.body.strip():
        try:
            comment = services.add_comment(plan, current_user, key=fields.key, quote=fields.quote,
                                           start=_position(fields.start), body=fields.body)
        except DomainError as error:
            db.session.rollback()
            errors.update(_comment_error(error))
        else:
            anchor = f"#comment-{comment.id}"
            db.session.commit()
            fields = fields.without_comment()
            flash(_("Comment added to the passage."), "success")
    if then == "bank" or fields.bank_text.strip():
        try:
            services.bank_add(current_user, fields.bank_text)
        except DomainError as error:
            db.session.rollback()
            errors["bank-new"] = error.message
        else:
            db.session.commit()
            fields = replace(fields, bank_text="")
            flash(_("Comment saved to your bank."), "success")
    deleting = request.form.get("delete_comment", type=bounded_int)
    if deleting:
        try:
            services.delete_comment(plan, current_user, services.get_comment(plan, deleting))
        except DomainError as error:
            db.session.rollback()
            errors["comments-title"] = error.message or _("That comment could not be deleted.")
        else:
            db.session.commit()
            flash(_("Comment deleted."), "success")
    if errors:
        return _render_review(_loaded_review_page(plan_id), fields, errors), 400
    if then in ("release", "complete"):
        return redirect(url_for(f"reviews.{then}", plan_id=plan_id))
    review_url = url_for("reviews.review", plan_id=plan_id)
    if then == "comment":
        return redirect(review_url + anchor)
    if then == "bank":
        return redirect(review_url + "#bank-title")
    if deleting:
        return redirect(review_url + "#comments")
    flash(_("Review saved as a draft. The student cannot see it until you release it."), "success")
    return redirect(review_url)


MAX_REVIEW_JSON = 256 * 1024


@bp.route("/plans/<int:plan_id>/review/draft", methods=["POST"])
@login_required
def autosave(plan_id: int):
    """The review saving itself while the reviewer writes: the levels, criterion comments and overall message as
    JSON, by the form's names ({"level-voice": "solid", "comment-voice": "…", "overall": "…"})."""
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    require(policies.can_review(current_user, plan))
    if (request.content_length or 0) > MAX_REVIEW_JSON:
        return jsonify({"error": _("What you sent is too large.")}), 413
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": _("Send the review as JSON.")}), 400
    fields = ReviewFields.sent(plan.rubric_version.criterion_keys(), data)
    token = data.get("save_token")
    if token is not None and not is_db_int(token):
        return jsonify({"error": _("The save token is missing; reload the page.")}), 400
    try:
        review = services.save_review(plan, current_user, scores=fields.scores(), overall=fields.overall,
                                      save_token=token)
    except services.ReviewConflict as conflict:
        db.session.rollback()
        return jsonify({"error": conflict.message, "conflict": True, "review": _review_answer(conflict.review)}), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify({"error": error.message}), error.status
    answer = {"saved_at": review.updated_at.isoformat(), "saved_label": _saved_label(review),
              "save_token": review.save_token}
    db.session.commit()
    return jsonify(answer)


def _review_answer(review) -> dict:
    """The review as saved, by the form's names, with its save token and when it was saved: the newer text a page
    is shown when its save came too late."""
    fields = ReviewFields.saved(review)
    return {"save_token": review.save_token, "saved_label": _saved_label(review), "overall": fields.overall,
            **{f"level-{key}": level for key, level in fields.levels.items()},
            **{f"comment-{key}": comment for key, comment in fields.comments.items()},
            **{f"intention-{key}": outcome for key, outcome in fields.intentions.items()}}


@bp.route("/plans/<int:plan_id>/review/comments", methods=["POST"])
@login_required
def add_comment(plan_id: int):
    """A comment on a passage, from the review page's script (JSON): the answer holds the page's parts it changes.
    A form posted here on its own is answered as the review form answers it."""
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    require(policies.can_review(current_user, plan))
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict):
        return jsonify({"error": _("Send the comment as JSON.")}), 400
    key, quote, body = (str(data.get(name) or "") for name in ("key", "quote", "body"))
    try:
        comment = services.add_comment(plan, current_user, key=key, quote=quote, start=_position(data.get("start")),
                                       body=body)
    except DomainError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": error.message, "field": getattr(error, "field", None)}), error.status
        page = _loaded_review_page(plan_id)
        fields = replace(ReviewFields.saved(page.review), key=key, quote=quote, start=str(data.get("start") or ""),
                         body=body)
        return _render_review(page, fields, _comment_error(error)), error.status
    answer = {"id": comment.id, "key": comment.anchor_key, "start": comment.start, "end": comment.end,
              "quote": comment.quote, "body": comment.body, "saved_label": _saved_label(comment.review)}
    db.session.commit()
    if _wants_json():
        return jsonify({**answer, **_review_parts(plan_id), "message": _("Comment added to the passage.")}), 201
    flash(_("Comment added to the passage."), "success")
    return redirect(url_for("reviews.review", plan_id=plan_id) + f"#comment-{answer['id']}")


@bp.route("/plans/<int:plan_id>/review/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(plan_id: int, comment_id: int):
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    require(policies.can_review(current_user, plan))
    services.delete_comment(plan, current_user, services.get_comment(plan, comment_id))
    db.session.commit()
    if _wants_json():
        return jsonify({**_review_parts(plan_id), "message": _("Comment deleted.")})
    flash(_("Comment deleted."), "success")
    return redirect(url_for("reviews.review", plan_id=plan_id) + "#comments")


def _confirm(plan, endpoint, title, message, label):
    return render_template("confirm.html", title=title, message=message, action=url_for(endpoint, plan_id=plan.id),
                           confirm_label=label, cancel=url_for("reviews.review", plan_id=plan.id), hidden={}, form=None,
                           warnings=services.release_warnings(plan, current_locale()))


@bp.route("/plans/<int:plan_id>/release", methods=["GET", "POST"])
@login_required
def release(plan_id: int):
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    held_back = workflow.release_held_back(plan) if plan.state.open_for_review else None
    if held_back and request.method == "GET":
        flash(held_back, "error")
        return redirect(url_for("reviews.review", plan_id=plan.id) + "#second-opinion")
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        return _confirm(plan, "reviews.release", _("Release the feedback?"),
                        _("%(name)s will see your levels, comments and overall message, and can start revising. "
                          "You cannot change the feedback afterwards.", name=plan.student.name), _("Release feedback"))
    services.release(plan, current_user)
    message = _("Feedback released to %(name)s.", name=plan.student.name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reviews.queue"))


@bp.route("/plans/<int:plan_id>/complete", methods=["GET", "POST"])
@login_required
def complete(plan_id: int):
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        return _confirm(plan, "reviews.complete", _("Mark the plan complete?"),
                        _("This releases the review of this version to %(name)s and closes the plan: no more "
                          "revisions.", name=plan.student.name), _("Mark complete"))
    services.complete(plan, current_user)
    message = _("The plan by %(name)s is complete.", name=plan.student.name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reviews.queue"))


# --- the student's feedback ----------------------------------------------------------------------------

@bp.route("/plans/<int:plan_id>/feedback")
@login_required
def feedback(plan_id: int):
    plan = require_view(current_user, plan_queries.plan(plan_id))
    return _feedback_page(plan, request.args.get("version", type=bounded_int))


@dataclass(frozen=True)
class TypedAnswer:
    """A reply, or a change to one, that could not be saved: shown again in its form, as typed, with why. `form` is
    the id of the form it came from ("reply-comment-5", "reply-criterion-3", "edit-reply-7")."""

    form: str
    kind: str
    body: str
    problem: str


def _feedback_page(plan: Plan, number: int | None, typed: str | None = None, problem: str | None = None,
                   answer: TypedAnswer | None = None, intentions_typed: dict | None = None,
                   intentions_problem: str | None = None, status: int | None = None):
    """The feedback on one version (the latest by default), the student's reflection on it, their replies to its
    comments and their revision plan: as saved, or as they typed it when it could not be saved (`typed` with the
    `problem` for the reflection, `answer` for a reply, `intentions_typed` with `intentions_problem`)."""
    require(policies.can_see_feedback(current_user, plan))
    reviews = services.released_reviews(plan)
    if not reviews:
        return render_template("reviews/feedback.html", plan=plan, review=None, reviews=[])
    review = next((r for r in reviews if r.version.number == number), reviews[-1])
    numbered, spans = number_comments(review.version.content, review.comments)
    reflection = services.reflection_for(review.version)
    text = typed if typed is not None else (reflection.text if reflection else "")
    intentions = services.intentions_of(review)
    planned = {key: i.text for key, i in intentions.items()}
    failed = problem or answer or intentions_problem
    return render_template(
        "reviews/feedback.html", plan=plan, review=review, reviews=reviews, numbered=numbered,
        marked_plan=marked_plan_html(review.version.content, spans, review.version.language),
        sections=SECTIONS, rubric=plan.rubric_version, lang=reading_language(plan.rubric_version),
        reflection=reflection, reflection_text=text, reflection_problem=problem,
        reflection_limit=services.MAX_COMMENT, reflection_over=services.reflection_over(text),
        reflection_saved=_saved_label(reflection) if reflection and typed is None else None,
        is_owner=workflow.is_owner(plan, current_user), can_reflect=policies.can_reflect(current_user, plan),
        can_answer=policies.can_answer_feedback(current_user, plan, review), answer=answer,
        to_plan=services.criteria_to_plan(plan, review), intentions=intentions,
        intention_texts={**planned, **(intentions_typed or {})}, intentions_problem=intentions_problem,
        intentions_typed_text="\n\n".join(t for t in (intentions_typed or {}).values() if t.strip()),
        intentions_saved=_saved_label(max(intentions.values(), key=lambda i: i.updated_at))
        if intentions and intentions_typed is None else None,
        answered=services.intentions_answered_by(plan, review.version),
    ), status or (400 if failed else 200)


@bp.app_template_global()
def feedback_labels() -> dict:
    """The words for the student's answers: kinds of reply, helpfulness, the marks on a revision plan."""
    return {"kinds": REPLY_KIND_LABELS, "helpful": HELPFUL_LABELS, "outcomes": INTENTION_OUTCOME_LABELS,
            "kind_values": REPLY_KINDS, "helpful_values": HELPFUL_VALUES}


@bp.app_template_global()
def version_feedback(plan, version):
    """The released feedback on one version with the student's answers to it (replies, ratings, the revision plan
    written after it, and how the next reviewer marked that plan), for the version's page: None when none was
    released. The template asks only where the plan itself may be read."""
    review = services.review_for(version)
    if review is None or review.released_at is None:
        return None
    later = next((r for r in services.released_reviews(plan) if r.version.number > version.number), None)
    return {"review": review, "numbered": number_comments(version.content, review.comments)[0],
            "intentions": services.intentions_of(review), "marked_by": later}


@bp.app_template_global()
def feedback_reply_counts(plan) -> dict[int, int]:
    """How many replies the student wrote to the feedback on each version, by version id (the history lists them)."""
    return services.reply_counts(plan)


def _answering(plan_id: int) -> Plan:
    """The plan whose feedback the current user answers: only its student goes on (staff who may read it: 403)."""
    plan = require_view(current_user, plan_queries.plan(plan_id))
    require(workflow.is_owner(plan, current_user))
    return plan


def _target(plan: Plan, kind: str, target_id: int):
    if kind == "comments":
        return services.get_released_comment(plan, target_id)
    return services.get_released_score(plan, target_id)


def _target_anchor(target) -> str:
    if isinstance(target, AnchoredComment):
        return f"#comment-{target.id}"
    return f"#criterion-{target.criterion_key}"


def _back_to_feedback(plan: Plan, review, anchor: str):
    return redirect(url_for("reviews.feedback", plan_id=plan.id, version=review.version.number) + anchor)


@bp.route("/plans/<int:plan_id>/feedback/<any(comments, criteria):kind>/<int:target_id>/replies", methods=["POST"])
@login_required
def reply(plan_id: int, kind: str, target_id: int):
    """The student's reply to a comment on a passage or on a criterion; refused, it comes back on the page as
    typed."""
    plan = _answering(plan_id)
    target = _target(plan, kind, target_id)
    reply_kind, body = _text(request.form, "kind"), _text(request.form, "body")
    try:
        services.add_reply(plan, current_user, target, reply_kind, body)
    except (ValidationError, Conflict) as error:
        db.session.rollback()
        form_id = f"reply-{'comment' if kind == 'comments' else 'criterion'}-{target_id}"
        return _feedback_page(plan, target.review.version.number, status=error.status,
                              answer=TypedAnswer(form_id, reply_kind, body, error.message or ""))
    db.session.commit()
    flash(_("Your reply is saved. Your reviewer sees it with your next version."), "success")
    return _back_to_feedback(plan, target.review, _target_anchor(target))


@bp.route("/plans/<int:plan_id>/feedback/<any(comments, criteria):kind>/<int:target_id>/rating", methods=["POST"])
@login_required
def rate(plan_id: int, kind: str, target_id: int):
    """How helpful the student found a comment; "clear" takes the rating back."""
    plan = _answering(plan_id)
    target = _target(plan, kind, target_id)
    value = "" if request.form.get("clear") else request.form.get("helpful", "")
    services.rate(plan, current_user, target, value)
    db.session.commit()
    flash(_("Your rating is saved.") if value else _("Your rating is removed."), "success")
    return _back_to_feedback(plan, target.review, _target_anchor(target))


def _reply_target_anchor(reply) -> str:
    return f"#comment-{reply.comment_id}" if reply.comment_id else f"#criterion-{reply.score.criterion_key}"


@bp.route("/plans/<int:plan_id>/feedback/replies/<int:reply_id>", methods=["POST"])
@login_required
def edit_reply(plan_id: int, reply_id: int):
    plan = _answering(plan_id)
    found = services.get_reply(plan, reply_id)
    reply_kind, body = _text(request.form, "kind"), _text(request.form, "body")
    try:
        services.edit_reply(plan, current_user, found, reply_kind, body)
    except (ValidationError, Conflict) as error:
        db.session.rollback()
        return _feedback_page(plan, found.review.version.number, status=error.status,
                              answer=TypedAnswer(f"edit-reply-{reply_id}", reply_kind, body, error.message or ""))
    db.session.commit()
    flash(_("Your reply is changed."), "success")
    return _back_to_feedback(plan, found.review, _reply_target_anchor(found))


@bp.route("/plans/<int:plan_id>/feedback/replies/<int:reply_id>/delete", methods=["POST"])
@login_required
def delete_reply(plan_id: int, reply_id: int):
    plan = _answering(plan_id)
    found = services.get_reply(plan, reply_id)
    review, anchor = found.review, _reply_target_anchor(found)
    back = url_for("reviews.feedback", plan_id=plan.id, version=review.version.number) + anchor
    if request.form.get("confirmed") != "yes":
        return render_template("confirm.html", title=_("Delete this reply?"),
                               message=found.body or str(REPLY_KIND_LABELS.get(found.kind or "", "")),
                               action=url_for("reviews.delete_reply", plan_id=plan.id, reply_id=found.id),
                               confirm_label=_("Delete"), cancel=back, hidden={}, form=None)
    services.delete_reply(plan, current_user, found)
    db.session.commit()
    flash(_("Your reply is deleted."), "success")
    return redirect(back)


@bp.route("/plans/<int:plan_id>/revision-plan", methods=["POST"])
@login_required
def revision_plan(plan_id: int):
    """The student's revision plan for the feedback on one version: from the feedback page's script as they write
    (JSON: {"version": n, "intentions": {criterion: text}}), or the form ("intention-<criterion>" fields), which
    comes back as typed when it cannot be saved."""
    plan = _answering(plan_id)
    as_json = request.is_json
    data = request.get_json(silent=True) if as_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        return jsonify({"error": _("Send the revision plan as JSON.")}), 400
    try:
        number = bounded_int(data.get("version"))
    except (TypeError, ValueError):
        number = None
    version = next((v for v in plan.versions if v.number == number), None)
    review = services.review_for(version) if version is not None else None
    if review is None or review.released_at is None:
        abort(404)
    if as_json:
        given = data.get("intentions")
        texts = {str(k): v for k, v in given.items()} if isinstance(given, dict) else {}
    else:
        texts = {name[len("intention-"):]: value for name, value in data.items() if name.startswith("intention-")}
    try:
        kept = services.save_intentions(plan, current_user, review, texts)
    except (ValidationError, Conflict) as error:
        db.session.rollback()
        if as_json:
            return jsonify({"error": error.message}), error.status
        return _feedback_page(plan, number, status=error.status, intentions_problem=error.message,
                              intentions_typed={k: v if isinstance(v, str) else "" for k, v in texts.items()})
    label = _saved_label(max(kept.values(), key=lambda i: i.updated_at)) if kept else _("Saved")
    db.session.commit()
    if as_json:
        return jsonify({"saved_label": label})
    flash(_("Your revision plan is saved. Your reviewer reads it beside your next version."), "success")
    return redirect(url_for("reviews.feedback", plan_id=plan_id, version=number) + "#revision-plan")


@bp.route("/plans/<int:plan_id>/feedback/comments/<int:comment_id>/addressed", methods=["POST"])
@login_required
def addressed(plan_id: int, comment_id: int):
    plan = require_view(current_user, plan_queries.plan(plan_id))
    comment = services.get_comment(plan, comment_id)
    if comment.review.released_at is None:
        abort(404)
    services.set_addressed(plan, current_user, comment, request.form.get("addressed") == "yes")
    db.session.commit()
    return redirect(url_for("reviews.feedback", plan_id=plan_id, version=comment.review.version.number)
                    + f"#comment-{comment.id}")


@bp.route("/plans/<int:plan_id>/reflection", methods=["POST"])
@login_required
def reflect(plan_id: int):
    """Save the reflection: from the feedback page's script as the student writes (JSON), or the form, which either
    stays on the feedback page or, with "Revise the plan", goes on to the editor."""
    plan = require_view(current_user, plan_queries.plan(plan_id))
    as_json = request.is_json
    data = request.get_json(silent=True) if as_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        return jsonify({"error": _("Send the reflection as JSON: {\"version\": n, \"text\": \"…\"}.")}), 400
    try:
        number = bounded_int(data.get("version"))
    except (TypeError, ValueError):
        number = None
    version = next((v for v in plan.versions if v.number == number), None)
    if version is None:
        abort(404)
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    revising = not as_json and data.get("then") == "revise"
    if revising and not text.strip():
        return redirect(url_for("plans.show", plan_id=plan_id))  # nothing written, nothing to keep
    try:
        reflection = services.save_reflection(plan, current_user, version, text)
    except ValidationError as error:
        db.session.rollback()
        if as_json:
            too_long = {"field": "reflection-text"} if services.reflection_over(text) else {}
            return jsonify({"error": error.message, **too_long}), error.status
        return _feedback_page(plan, number, typed=text, problem=error.message)
    answer = {"saved_label": _saved_label(reflection)}
    db.session.commit()
    if as_json:
        return jsonify(answer)
    flash(_("Your reflection is saved. Your reviewer will see it with your next version."), "success")
    if revising:
        return redirect(url_for("plans.show", plan_id=plan_id))
    return redirect(url_for("reviews.feedback", plan_id=plan_id, version=number) + "#reflection")


# --- the comment bank ----------------------------------------------------------------------------------

def _require_any_instructor():
    require(policies.can_keep_a_comment_bank(current_user))


@bp.route("/reviews/bank", methods=["GET", "POST"])
@login_required
def bank():
    _require_any_instructor()
    if request.method == "POST":
        data = request.get_json(silent=True) if request.is_json else request.form
        try:
            services.bank_add(current_user, _text(data, "text") if isinstance(data, dict) else "")
        except ValidationError as error:
            db.session.rollback()
            if _wants_json():
                return jsonify({"error": error.message}), 400
            flash(error.message, "error")
        else:
            db.session.commit()
            if _wants_json():  # with the bank as the review page lists it, to put in place there
                return jsonify({"ok": True, "message": _("Comment saved to your bank."),
                                "html": render_template("reviews/_bank_insert.html",
                                                        bank=queries.bank_texts_of(current_user))}), 201
            flash(_("Comment saved to your bank."), "success")
        return redirect(safe_next(request.form.get("back")) or url_for("reviews.bank"))
    return render_template("reviews/bank.html", entries=services.bank_of(current_user))


@bp.route("/reviews/bank/<int:entry_id>", methods=["POST"])
@login_required
def bank_edit(entry_id: int):
    entry = services.bank_get(current_user, entry_id)
    try:
        services.bank_update(entry, request.form.get("text", ""))
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Saved comment updated."), "success")
    return redirect(url_for("reviews.bank"))


@bp.route("/reviews/bank/<int:entry_id>/delete", methods=["POST"])
@login_required
def bank_delete(entry_id: int):
    entry = services.bank_get(current_user, entry_id)
    if request.form.get("confirmed") != "yes":
        return render_template("confirm.html", title=_("Delete this saved comment?"), message=entry.text,
                               action=url_for("reviews.bank_delete", entry_id=entry.id),
                               confirm_label=_("Delete"), cancel=url_for("reviews.bank"), hidden={}, form=None)
    services.bank_delete(entry)
    db.session.commit()
    flash(_("Saved comment deleted."), "success")
    return redirect(url_for("reviews.bank"))


@bp.route("/plans/<int:plan_id>/review/changes")
@login_required
def changes(plan_id: int):
    """What changed since the version this reviewer reviewed last."""
    plan = policies.require_review_page(current_user, plan_queries.plan(plan_id))
    version = policies.version_under_review(plan)
    previous = services.previous_released_review(plan, version) if version else None
    if previous is None:
        return redirect(url_for("reviews.review", plan_id=plan_id))
    return redirect(url_for("plans.diff", plan_id=plan_id, **{"from": previous.version.number, "to": version.number}))


# --- a second opinion (moderation) ---------------------------------------------------------------------

def _plan_for_teachers(plan_id: int) -> Plan:
    """A plan for the instructors and course leaders of its cohort: anyone else (students, other cohorts) is told
    nothing exists (404); who among them may take which step is asked next (403)."""
    plan = plan_queries.plan(plan_id)
    if plan is None or not policies.teaches_in(current_user, plan.assignment.cohort_id):
        abort(404)
    return plan


def _criteria_titles(rubric, keys: list[str], lang: str) -> list[str]:
    titles = {c["key"]: _title(c["title"], lang) for c in rubric.criteria}
    return [titles.get(key, key) for key in keys]


@bp.app_template_filter("so_label")
def second_opinion_label(state: str) -> str:
    return SecondOpinionState(state).label


@bp.app_template_global()
def second_opinion_panel(plan, review, rubric) -> dict:
    """What the review page says of a second opinion on the version under review: the open one (or the latest
    decided), its flag, and which steps the person reading may take. `review`: the version's review as the page
    loaded it, with its second opinions (None before the review has begun: asking for one begins it); `rubric`:
    the plan's rubric version as the page reads it."""
    kept = [o for o in review.second_opinions if o.state != SecondOpinionState.cancelled.value] if review else []
    opinion = queries.second_opinion_shown(kept[-1]) if kept else None
    open_one = opinion if opinion is not None and SecondOpinionState(opinion.state).blocks_release else None
    far = second_opinions.disagreements(opinion, rubric) \
        if opinion is not None and opinion.state == SecondOpinionState.scored.value else []
    return {
        "opinion": opinion, "state": SecondOpinionState(opinion.state) if opinion is not None else None,
        "flagged": _criteria_titles(rubric, far, reading_language(rubric)) if far else [],
        "can_request": workflow.can_second_opinion(plan, open_one, SecondOpinionAction.request, current_user),
        "can_resolve": opinion is not None and workflow.can_second_opinion(plan, opinion, SecondOpinionAction.resolve,
                                                                           current_user),
        "can_cancel": opinion is not None and workflow.can_second_opinion(plan, opinion, SecondOpinionAction.cancel,
                                                                          current_user),
        # The open one holds the release back; the page has it already, so it need not be looked up again.
        "held_back": second_opinions.waiting_for_the_decision() if open_one is not None else None,
    }


@bp.app_template_global()
def second_opinion_flags(assignment) -> dict[int, list[str]]:
    """For the progress rows: each plan of the assignment whose second opinion differs from its first review by two
    levels or more, with the criteria (titles)."""
    plans = list(db.session.scalars(db.select(Plan).where(Plan.assignment_id == assignment.id)
                                    .where(Plan.id.in_(second_opinions.scored_plan_ids(assignment.id)))))
    lang = reading_language(assignment.rubric_version)
    return {plan_id: _criteria_titles(assignment.rubric_version, flag.criteria, lang)
            for plan_id, flag in second_opinions.flags_for(plans).items()}


@bp.app_template_global()
def feedback_was_moderated(review) -> bool:
    return review is not None and review.released_at is not None and second_opinions.was_moderated(review)


@bp.route("/plans/<int:plan_id>/second-opinion/request", methods=["GET", "POST"])
@login_required
def request_second_opinion(plan_id: int):
    plan = _plan_for_teachers(plan_id)
    require(policies.can_see_review_page(current_user, plan))
    version = policies.version_under_review(plan)
    typed = {"rater_id": request.form.get("rater_id", ""), "reason": _text(request.form, "reason")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        rater = db.session.get(User, request.form.get("rater_id", type=bounded_int) or 0)
        try:
            second_opinions.request(plan, current_user, rater, typed["reason"])
        except ValidationError as error:
            db.session.rollback()
            errors["rater"] = error.message or ""
        else:
            name = rater.name if rater else ""
            db.session.commit()
            flash(_("%(name)s is asked for a second opinion. The feedback can be released once it is decided.",
                    name=name), "success")
            return redirect(url_for("reviews.review", plan_id=plan.id) + "#second-opinion")
    return render_template("reviews/second_opinion_request.html", plan=plan, version=version,
                           raters=second_opinions.eligible_raters(plan), typed=typed, errors=errors,
                           limit=second_opinions.MAX_REASON), 400 if errors else 200


def _rater_fields(rubric, data) -> dict:
    return {key: {"level": _text(data, f"level-{key}"), "comment": _text(data, f"comment-{key}")}
            for key in rubric.criterion_keys()}


@bp.route("/plans/<int:plan_id>/second-opinion", methods=["GET", "POST"])
@login_required
def second_opinion(plan_id: int):
    """The second instructor's own page: the plan and the rubric, never the first reviewer's levels or comments
    until they have submitted theirs."""
    plan = _plan_for_teachers(plan_id)
    opinion = second_opinions.get(plan)
    require(workflow.is_second_rater(plan, opinion, current_user))
    rubric = plan.rubric_version
    fields = _rater_fields(rubric, request.form) if request.method == "POST" else {}
    problem = None
    if request.method == "POST":
        as_draft = request.form.get("then") == "draft"
        try:
            if as_draft:
                second_opinions.save_draft(plan, opinion, current_user, fields)
            else:
                second_opinions.submit(plan, opinion, current_user, fields)
        except ValidationError as error:
            db.session.rollback()
            problem = error.message
            opinion = second_opinions.get(plan)
        else:
            db.session.commit()
            if as_draft:
                flash(_("Your draft is saved. Only you see it until you submit your second opinion."), "success")
            else:
                flash(_("Your second opinion is in. Whoever decides is told; you now see the first review beside "
                        "yours."), "success")
            return redirect(url_for("reviews.second_opinion", plan_id=plan.id))
    version = opinion.version
    submitted = opinion.submitted_at is not None
    if request.method == "GET" and not submitted:
        fields = opinion.draft or {}  # what they had saved of it, for them alone
    return render_template(
        "reviews/second_opinion.html", plan=plan, version=version, opinion=opinion, rubric=rubric,
        lang=reading_language(rubric), fields=fields, problem=problem, submitted=submitted,
        can_submit=workflow.can_second_opinion(plan, opinion, SecondOpinionAction.submit, current_user),
        marked_plan=marked_plan_html(version.content, (), version.language),
        first=opinion.review if submitted else None,
        flagged=second_opinions.disagreements(opinion, rubric) if submitted else [],
    ), 400 if problem else 200


@bp.route("/plans/<int:plan_id>/second-opinion/resolve", methods=["GET", "POST"])
@login_required
def resolve_second_opinion(plan_id: int):
    """The decider sees both sets of levels side by side and picks, per criterion, the level to release."""
    plan = _plan_for_teachers(plan_id)
    opinion = second_opinions.get(plan)
    # The decider decides; the reviewer and the course leaders may read both scorings side by side.
    deciding = workflow.decides_second_opinions(plan, current_user)
    require((deciding or (request.method == "GET" and policies.can_see_review_page(current_user, plan)))
            and not workflow.is_second_rater(plan, opinion, current_user))
    rubric = plan.rubric_version
    keys = rubric.criterion_keys()
    decisions = {key: _text(request.form, f"decision-{key}") for key in keys}
    notes = {key: _text(request.form, f"note-{key}") for key in keys}
    note = _text(request.form, "decision_note")
    problem = None
    if request.method == "POST":
        try:
            second_opinions.resolve(plan, opinion, current_user, decisions, notes, note)
        except ValidationError as error:
            db.session.rollback()
            problem = error.message
            opinion = second_opinions.get(plan)
        else:
            db.session.commit()
            flash(_("Decided. The review's levels are now the ones you chose; the feedback can be released."),
                  "success")
            return redirect(url_for("reviews.review", plan_id=plan.id) + "#second-opinion")
    elif opinion.state == SecondOpinionState.resolved.value:
        decisions = {s.criterion_key: s.decided_level_key or "" for s in opinion.scores}
        notes = {s.criterion_key: s.decision_note for s in opinion.scores}
        note = opinion.decision_note
    else:  # where the two agree, that level is chosen already
        decisions = {s.criterion_key: s.level_key for s in opinion.scores if s.level_key == s.first_level_key}
    return render_template(
        "reviews/second_opinion_resolve.html", plan=plan, opinion=opinion, rubric=rubric,
        lang=reading_language(rubric), decisions=decisions, notes=notes, note=note, problem=problem,
        flagged=second_opinions.disagreements(opinion, rubric),
        can_resolve=workflow.can_second_opinion(plan, opinion, SecondOpinionAction.resolve, current_user),
    ), 400 if problem else 200


@bp.route("/plans/<int:plan_id>/second-opinion/cancel", methods=["POST"])
@login_required
def cancel_second_opinion(plan_id: int):
    plan = _plan_for_teachers(plan_id)
    opinion = second_opinions.get(plan)
    require(workflow.can_second_opinion(plan, opinion, SecondOpinionAction.cancel, current_user))
    back = url_for("reviews.review", plan_id=plan.id) + "#second-opinion"
    if request.form.get("confirmed") != "yes":
        return render_template("confirm.html", title=_("Cancel the second opinion?"),
                               message=_("%(name)s's second opinion will no longer be needed. Anything already "
                                         "scored stays kept, and the review stays as its reviewer wrote it.",
                                         name=opinion.rater.name if opinion.rater else "—"),
                               action=url_for("reviews.cancel_second_opinion", plan_id=plan.id),
                               confirm_label=_("Cancel the second opinion"), cancel=back, hidden={}, form=None)
    second_opinions.cancel(plan, opinion, current_user)
    db.session.commit()
    flash(_("The second opinion is cancelled."), "success")
    return redirect(back)
