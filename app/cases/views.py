"""The case library for teachers, and the case as students read it for an assignment."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.cases import policies, queries, services
from app.errors import NotPermitted
from app.i18n import current_locale, format_moment
from app.policies import require, require_found, require_in_cohort

bp = Blueprint("cases", __name__, template_folder="templates")
bp.add_app_template_global(policies.can_browse_library, "can_browse_library")


# --- shared helpers (the rubric pages use them too) ----------------------------------------------------

def reading_language(version, wanted: str | None = None) -> str:
    """The asked-for language if the content has it, else the interface language, else the content's first."""
    for code in (wanted, current_locale()):
        if code in version.languages:
            return code
    return version.languages[0]


def language_links(version, lang: str, endpoint: str, **values) -> list[dict]:
    """Links that show the same page in each of the content's languages (none when there is only one)."""
    if len(version.languages) < 2:
        return []
    names = current_app.config["LANGUAGES"]
    return [{"code": code, "name": names.get(code, code), "current": code == lang,
             "url": url_for(endpoint, **values, lang=code)} for code in version.languages]


def version_pair(versions: list, what: str):
    """The two versions named by ?from= and ?to= (defaults: the latest and the one before it). 400 if unusable."""
    by_number = {v.number: v for v in versions}
    latest = versions[-1].number

    def number(name: str, default: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not (raw.isascii() and raw.isdigit()):
            abort(400, _("“%(value)s” is not a version number. Use whole numbers, like ?from=1&to=2.", value=raw[:20]))
        return int(raw)

    to_number = number("to", latest)
    from_number = number("from", max(to_number - 1, 1))
    for value in (from_number, to_number):
        if value not in by_number:
            abort(400, _("%(what)s has no version %(number)s. It has versions 1 to %(latest)s.",
                         what=what, number=value, latest=latest))
    return by_number[from_number], by_number[to_number]


# --- the library ---------------------------------------------------------------------------------------

@bp.route("/library")
@login_required
def library():
    require(policies.can_browse_library(current_user))
    return render_template("cases/library.html", cases=queries.library_cases(), rubrics=queries.library_rubrics())


def _load_case(slug: str):
    require(policies.can_browse_library(current_user))
    case = queries.case_by_slug(slug)
    require_found(case is not None and case.versions)
    return case


@bp.route("/library/cases/<slug>")
@login_required
def case_detail(slug: str):
    case = _load_case(slug)
    return render_template("cases/case.html", case=case, latest=case.latest, lang=reading_language(case.latest),
                           in_use=queries.case_versions_in_use(case.versions))


@bp.route("/library/cases/<slug>/versions/<int:number>")
@login_required
def preview(slug: str, number: int):
    require(policies.can_browse_library(current_user))
    version = queries.case_version(slug, number)
    require_found(version)
    lang = reading_language(version, request.args.get("lang"))
    return render_template(
        "cases/preview.html", version=version, lang=lang,
        documents=services.reading_documents(version, lang, teachers=False),
        teacher_documents=[d for d in services.reading_documents(version, lang, teachers=True) if d.for_teachers],
        language_links=language_links(version, lang, "cases.preview", slug=slug, number=number),
    )


@bp.route("/library/cases/<slug>/diff")
@login_required
def diff(slug: str):
    case = _load_case(slug)
    old, new = version_pair(case.versions, _("The case “%(slug)s”", slug=slug))
    lang = reading_language(new, request.args.get("lang"))
    changes = services.diff_case_versions(old, new, lang)
    other_languages_differ = not changes.has_changes and old.fingerprint != new.fingerprint
    return render_template(
        "cases/diff.html", case=case, changes=changes, lang=lang, other_languages_differ=other_languages_differ,
        language_links=language_links(new, lang, "cases.diff", slug=slug, **{"from": old.number, "to": new.number}),
    )


# --- the case of an assignment, as its cohort reads it ---------------------------------------------------

def load_assignment_for_reading(assignment_id: int, allowed):
    """Load an assignment for reading its material: 404 outside its cohort, 403 for students before it opens."""
    assignment = queries.assignment_with_content(assignment_id)
    require_in_cohort(assignment.cohort if assignment else None)
    if not allowed(current_user, assignment):
        raise NotPermitted(_("This assignment opens on %(date)s. You can read the material from then on.",
                             date=format_moment(assignment.opens_at)))
    return assignment


@bp.route("/assignments/<int:assignment_id>/case")
@login_required
def assignment_case(assignment_id: int):
    assignment = load_assignment_for_reading(assignment_id, policies.can_read_assignment_case)
    version = assignment.case_version
    lang = reading_language(version, request.args.get("lang"))
    teachers = policies.can_see_teaching_notes(current_user, assignment.cohort)
    documents = services.reading_documents(version, lang, teachers=teachers)
    return render_template(
        "cases/reading.html", assignment=assignment, version=version, lang=lang,
        documents=[d for d in documents if not d.for_teachers], teacher_documents=[d for d in documents if d.for_teachers],
        language_links=language_links(version, lang, "cases.assignment_case", assignment_id=assignment.id),
    )
