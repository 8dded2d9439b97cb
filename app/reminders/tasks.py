"""The reminders' tasks, started by Celery beat (app/jobs/schedule.py)."""
from __future__ import annotations

from app.jobs import task
from app.reminders import services


@task(name="reminders.due_soon")
def due_soon() -> int:
    return services.remind_due_soon()


@task(name="reminders.overdue_reviews")
def overdue_reviews() -> int:
    return services.remind_overdue_reviews()
