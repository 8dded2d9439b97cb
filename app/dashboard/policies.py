"""Who may see a cohort's progress: its course leaders (an administrator too, when they lead the cohort)."""
from __future__ import annotations

from app.cohorts.models import Role
from app.cohorts.policies import role_in


def can_view_dashboard(user, cohort) -> bool:
    return role_in(user, cohort) == Role.leader
