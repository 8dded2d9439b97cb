"""The one rule for refusals: 404 to non-members (existence does not leak), 403 to members without the right."""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.cohorts import policies as cohort_policies
from app.errors import NotPermitted
from app.i18n import format_moment


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def require_found(found) -> None:
    if not found:
        abort(404)


def require_in_cohort(cohort, user=None) -> None:
    """Anyone who is neither a member nor an administrator gets 404 for anything inside a cohort."""
    user = user or current_user
    if cohort is None or not cohort_policies.can_view_cohort(user, cohort):
        abort(404)


def require_material(assignment, allowed, user=None) -> None:
    """Reading an assignment's material (its case, its rubric): 404 outside its cohort, and a clear 403 to students
    before it opens (`allowed` is the material's policy)."""
    user = user or current_user
    require_in_cohort(assignment.cohort if assignment else None, user)
    if not allowed(user, assignment):
        raise NotPermitted(_("This assignment opens on %(date)s. You can read the material from then on.",
                             date=format_moment(assignment.opens_at)))
