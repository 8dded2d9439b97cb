"""Who may add cases and rubrics to the library from the browser. Views and templates ask the same functions."""
from __future__ import annotations

from app.cohorts import policies as cohort_policies
from app.cohorts.models import Role


def can_import_content(user) -> bool:
    """Course leaders (of any cohort) and administrators choose and prepare the cases and rubrics every cohort uses;
    instructors and students read them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if cohort_policies.is_admin(user):
        return True
    return Role.leader in cohort_policies.roles_by_cohort(user).values()


def can_use_upload(user, upload) -> bool:
    """An upload waiting for confirmation is its uploader's alone: nobody else previews, imports or discards it."""
    return can_import_content(user) and upload is not None and upload.owner_id == user.id
