"""Who reads the audit log: administrators all of it, course leaders their own cohorts' part."""
from __future__ import annotations

from app.cohorts.policies import can_manage_cohort, is_admin


def can_read_full_log(user) -> bool:
    return is_admin(user)


def can_read_cohort_log(user, cohort) -> bool:
    return can_manage_cohort(user, cohort)
