"""Who may read which case material. Views and templates ask the same functions."""
from __future__ import annotations

from app.cases import queries
from app.cohorts import policies as cohort_policies
from app.cohorts.models import Role

TEACHING_ROLES = (Role.instructor, Role.leader)


def can_browse_library(user) -> bool:
    """Administrators, and anyone who teaches or leads in some cohort, browse every case and rubric."""
    if cohort_policies.is_admin(user):
        return True
    return cohort_policies.teaches_anywhere(user)


def can_see_teaching_notes(user, cohort) -> bool:
    """Documents for teachers on a page of one cohort follow the person's role in that cohort: its instructors and
    course leaders, and administrators who hold no role there. A student of the cohort never reads them there, even
    when they teach (or administer) elsewhere."""
    role = cohort_policies.role_in(user, cohort)
    if role is not None:
        return role in TEACHING_ROLES
    return cohort_policies.is_admin(user)


def can_see_library_teaching_notes(user, case) -> bool:
    """Documents for teachers in the library, which belongs to no cohort.

    Never for someone who is a student in a cohort with an assignment on the case, whatever else they are. Course
    leaders (of any cohort) and administrators choose, import and prepare cases, so they read every case's notes;
    an instructor reads the notes of the cases their cohorts use, not of every case in the library."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    roles = queries.roles_where_case_is_used(user.id, case.id)
    if Role.student in roles:
        return False
    if cohort_policies.is_admin(user) or Role.leader in cohort_policies.roles_by_cohort(user).values():
        return True
    return Role.instructor in roles


def can_read_assignment_case(user, assignment, now=None) -> bool:
    """Members read the case of their cohort's assignment; students only once it has opened.

    Non-members are refused earlier, with 404 (`require_in_cohort`)."""
    if not cohort_policies.can_view_cohort(user, assignment.cohort):
        return False
    if cohort_policies.is_student(user, assignment.cohort) and not cohort_policies.is_admin(user):
        return assignment.has_opened(now)
    return True
