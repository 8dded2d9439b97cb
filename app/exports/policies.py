"""Who may export a cohort's plans: whoever may read its progress and download its CSV (its course leaders)."""
from __future__ import annotations

from app.dashboard.policies import can_view_dashboard


def can_export(user, cohort) -> bool:
    return can_view_dashboard(user, cohort)
