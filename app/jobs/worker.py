"""The worker's and beat's entry point: `celery -A app.jobs.worker worker` and `celery -A app.jobs.worker beat`.
The Flask app is made from the same settings as the web processes (CAREPLAN_ENV, DATABASE_URL,
CELERY_BROKER_URL, MAIL_*), and every task runs inside its application context."""
from __future__ import annotations

from app import create_app
from app.jobs import celery

flask_app = create_app()

__all__ = ["celery", "flask_app"]
