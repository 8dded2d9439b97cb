"""The one rule for refusals: 404 to non-members (existence does not leak), 403 to members without the right."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.cohorts import policies as cohort_policies


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
