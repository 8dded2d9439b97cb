"""The case library for teachers, and the case as students read it for an assignment."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assignments import queries as assignment_queries
from app.cases import policies, queries, services
from app.policies import require, require_found, require_material
from app.reading import language_links, reading_language, version_pair
from app.rubrics import queries as rubric_queries

bp = Blueprint("cases", __name__, template_folder="templates")
bp.add_app_template_global(policies.can_browse_library, "can_browse_library")


# --- the library ---------------------------------------------------------------------------------------

@bp.route("/library")
@login_required
def library():
    require(policies.can_browse_library(current_user))
    return render_template("cases/library.html", cases=queries.library_cases(), rubrics=rubric_queries.library_rubrics())


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
                           in_use=queries.case_versions_in_use(case.versions),
                           teachers=policies.can_see_library_teaching_notes(current_user, case))


@bp.route("/library/cases/<slug>/versions/<int:number>")
@login_required
def preview(slug: str, number: int):
    require(policies.can_browse_library(current_user))
    version = queries.case_version(slug, number)
    require_found(version)
    lang = reading_language(version, request.args.get("lang"))
    teachers = policies.can_see_library_teaching_notes(current_user, version.case)
    documents = services.reading_documents(version, lang, teachers=teachers)
    return render_template(
        "cases/preview.html", version=version, lang=lang, teachers=teachers,
        documents=[d for d in documents if not d.for_teachers], teacher_documents=[d for d in documents if d.for_teachers],
        language_links=language_links(version, lang, "cases.preview", slug=slug, number=number),
    )


@bp.route("/library/cases/<slug>/diff")
@login_required
def diff(slug: str):
    case = _load_case(slug)
    old, new = version_pair(case.versions, _("The case “%(slug)s”", slug=slug))
    lang = reading_language(new, request.args.get("lang"))
    changes = services.diff_case_versions(old, new, lang,
                                          teachers=policies.can_see_library_teaching_notes(current_user, case))
    other_languages_differ = not changes.has_changes and old.fingerprint != new.fingerprint
    return render_template(
        "cases/diff.html", case=case, changes=changes, lang=lang, other_languages_differ=other_languages_differ,
        language_links=language_links(new, lang, "cases.diff", slug=slug, **{"from": old.number, "to": new.number}),
    )


# --- the case of an assignment, as its cohort reads it ---------------------------------------------------

@bp.route("/assignments/<int:assignment_id>/case")
@login_required
def assignment_case(assignment_id: int):
    assignment = assignment_queries.assignment_with_content(assignment_id)
    require_material(assignment, policies.can_read_assignment_case)
    version = assignment.case_version
    lang = reading_language(version, request.args.get("lang"))
    teachers = policies.can_see_teaching_notes(current_user, assignment.cohort)
    documents = services.reading_documents(version, lang, teachers=teachers)
    return render_template(
        "cases/reading.html", assignment=assignment, version=version, lang=lang,
        documents=[d for d in documents if not d.for_teachers], teacher_documents=[d for d in documents if d.for_teachers],
        language_links=language_links(version, lang, "cases.assignment_case", assignment_id=assignment.id),
    )
