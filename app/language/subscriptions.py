"""The assistant keeps what it said about each submitted version, so progress can be followed across versions."""
from __future__ import annotations

from app.language.services import dismissals_for, hints_for_plan
from app.plans.signals import plan_submitted


@plan_submitted.connect
def keep_the_hints_of_the_version(plan, *, version, **_details) -> None:
    version.hints = hints_for_plan(version.content, version.language, plan.case_version.person_name,
                                   dismissals_for(plan.id))
