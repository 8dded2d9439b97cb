"""What Celery beat starts, and when: one entry per periodic task, as data. Add a task here (and its module to
TASK_MODULES) and `celery -A app.jobs.worker beat` starts it; nothing else needs to change. For example, later:

    "lti-sync-rosters": {"task": "lti.sync_all_rosters", "schedule": crontab(hour=2, minute=30)},
    "lti-deliver-scores": {"task": "lti.deliver_due_scores", "schedule": timedelta(minutes=5)},

Times are UTC. Without a broker nothing runs on a schedule: `flask jobs run NAME` runs one entry by hand (or from
cron), e.g. `flask jobs run mail-retry-unsent`."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab

# The modules that define tasks: imported by every process (web and worker), so each knows every task by name.
TASK_MODULES = ("app.mail.tasks", "app.reminders.tasks", "app.exports.tasks", "app.lti.roster", "app.lti.scores")

SCHEDULE: dict[str, dict[str, Any]] = {
    # E-mail whose retry is due and not taken up by a worker (see app/mail/services.py retry_unsent).
    "mail-retry-unsent": {"task": "mail.retry_unsent", "schedule": timedelta(minutes=5)},
    # Students whose plan is due within two days and not submitted (once per student and assignment).
    "reminders-due-soon": {"task": "reminders.due_soon", "schedule": crontab(minute=15)},
    # Reviewers with reviews past the assignment's review date (once a day per reviewer and assignment).
    "reminders-overdue-reviews": {"task": "reminders.overdue_reviews", "schedule": crontab(hour=7, minute=0)},
    # Each LMS course's members, synced with its cohort every night (app/lti/roster.py).
    "lti-sync-rosters": {"task": "lti.sync_all_rosters", "schedule": crontab(hour=2, minute=30)},
    # Scores to LMS gradebooks whose retry is due (app/lti/scores.py).
    "lti-deliver-scores": {"task": "lti.deliver_due_scores", "schedule": timedelta(minutes=5)},
}
