"""What the LMS hears as plans move on: a submitted plan, released feedback and a completed plan each write a score
for its student's line item (sent once the change commits)."""
from __future__ import annotations

from app.lti.scores import queue_score
from app.plans.signals import plan_submitted
from app.reviews.signals import feedback_released


@plan_submitted.connect
def report_the_submission(plan, **_details) -> None:
    queue_score(plan, activity="Submitted", grading="Pending")


@feedback_released.connect
def report_the_feedback(plan, *, review, completed, **_details) -> None:
    queue_score(plan, activity="Completed" if completed else "Submitted", grading="FullyGraded", review=review)
