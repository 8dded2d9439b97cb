"""Rubrics in the library, and the rubric of an assignment as its cohort sees it."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assignments import queries as assignment_queries
from app.cases.models import localized
from app.policies import require, require_found, require_material
from app.reading import language_links, reading_language, version_pair
from app.rubrics import policies, queries
from app.rubrics.services import diff_rubric_versions

bp = Blueprint("rubrics", __name__, template_folder="templates")
bp.add_app_template_global(localized, "localized")


def _load_rubric(slug: str):
    require(policies.can_browse_rubrics(current_user))
    rubric = queries.rubric_by_slug(slug)
    require_found(rubric is not None and rubric.versions)
    return rubric


@bp.route("/library/rubrics/<slug>")
@login_required
def rubric_detail(slug: str):
    rubric = _load_rubric(slug)
    return render_template("rubrics/rubric.html", rubric=rubric, latest=rubric.latest,
                           lang=reading_language(rubric.latest), in_use=queries.rubric_versions_in_use(rubric.versions))


@bp.route("/library/rubrics/<slug>/versions/<int:number>")
@login_required
def version(slug: str, number: int):
    require(policies.can_browse_rubrics(current_user))
    rubric_version = queries.rubric_version(slug, number)
    require_found(rubric_version)
    lang = reading_language(rubric_version, request.args.get("lang"))
    return render_template(
        "rubrics/version.html", version=rubric_version, lang=lang,
        language_links=language_links(rubric_version, lang, "rubrics.version", slug=slug, number=number),
    )


@bp.route("/library/rubrics/<slug>/diff")
@login_required
def diff(slug: str):
    rubric = _load_rubric(slug)
    old, new = version_pair(rubric.versions, _("The rubric “%(slug)s”", slug=slug))
    lang = reading_language(new, request.args.get("lang"))
    changes = diff_rubric_versions(old, new, lang)
    return render_template(
        "rubrics/diff.html", rubric=rubric, changes=changes, lang=lang,
        other_languages_differ=not changes.has_changes and old.fingerprint != new.fingerprint,
        language_links=language_links(new, lang, "rubrics.diff", slug=slug, **{"from": old.number, "to": new.number}),
    )


@bp.route("/assignments/<int:assignment_id>/rubric")
@login_required
def assignment_rubric(assignment_id: int):
    assignment = assignment_queries.assignment_with_content(assignment_id)
    require_material(assignment, policies.can_read_assignment_rubric)
    rubric_version = assignment.rubric_version
    lang = reading_language(rubric_version, request.args.get("lang"))
    return render_template(
        "rubrics/assignment.html", assignment=assignment, version=rubric_version, lang=lang,
        language_links=language_links(rubric_version, lang, "rubrics.assignment_rubric", assignment_id=assignment.id),
    )
