"""What calibration answers when reviewing asks what stands before a claim or the start of a review: where the
assignment requires it, a calibration review before a reviewer's first live review."""
from __future__ import annotations

from flask_babel import gettext as _

from app.calibration.services import owes_calibration
from app.reviews.signals import review_checked
from app.urls import external_url


@review_checked.connect
def calibrate_first(plan, actor=None, **_details) -> list[dict]:
    if actor is None or not owes_calibration(actor, plan.assignment):
        return []
    return [{"message": _("This assignment asks every reviewer to review a calibration plan before their first "
                          "review. Submit your calibration review first; then you can claim and review plans."),
             "link": external_url("calibration.index", assignment_id=plan.assignment_id),
             "label": _("Go to calibration")}]
