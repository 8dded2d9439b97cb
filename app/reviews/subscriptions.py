"""What reviewing adds when the plans domain asks: before a revised plan is submitted, the criteria the student has
not yet said what they will change in; before feedback is released, whether a second opinion still waits."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.i18n import current_locale
from app.plans.signals import release_checked, submission_checked
from app.reviews.second_opinions import open_second_opinion, waiting_for_the_decision
from app.reviews.services import missing_intentions


@submission_checked.connect
def ask_for_the_revision_plan(plan, **_details) -> list[dict]:
    missing = missing_intentions(plan, current_locale())
    if not missing:
        return []
    return [{"message": _("Your revision plan says nothing yet for %(list)s. Your reviewer reads what you planned "
                          "to change beside this version.", list=", ".join(missing)),
             "link": url_for("reviews.feedback", plan_id=plan.id) + "#revision-plan",
             "label": _("Write your revision plan")}]


@release_checked.connect
def hold_back_while_a_second_opinion_is_open(plan, **_details) -> str | None:
    return waiting_for_the_decision() if open_second_opinion(plan.current_version) is not None else None
