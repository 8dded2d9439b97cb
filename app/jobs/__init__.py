"""The job queue: everything sent outside the app (e-mail, scores to a learning platform, reminders) runs as a Celery
task, started only once the request's transaction has committed.

With `CELERY_BROKER_URL` set (Redis in production), `after_commit` hands the task to the broker and a worker runs
it. Without a broker (the `make run` default and the tests), the task runs in this process right after the commit,
in an application context of its own, so one command still serves everything. A rolled-back transaction starts
nothing."""
from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

celery = Celery("careplan")

_PENDING = "careplan_jobs_after_commit"


class FlaskTask(Task):
    """A task that runs inside the Flask application's context (its database session, config and logger)."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        app = self.app.flask_app
        with app.app_context():
            return self.run(*args, **kwargs)


def init_app(app: Flask) -> Celery:
    broker = app.config.get("CELERY_BROKER_URL") or None
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=broker is None,
        task_eager_propagates=False,
        task_acks_late=True,  # a worker that dies mid-task leaves it for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
    )
    celery.conf.update(app.config.get("CELERY", {}))
    celery.Task = FlaskTask
    celery.flask_app = app
    app.extensions["celery"] = celery
    return celery


def task(*args: Any, **kwargs: Any):
    """Declare a task: `@task(name="mail.send")`. Tasks are plain functions that also run when called directly."""
    return celery.task(*args, base=FlaskTask, **kwargs)


def after_commit(job: Task, *args: Any, **kwargs: Any) -> None:
    """Start `job(*args, **kwargs)` once the current transaction commits; nothing happens if it rolls back."""
    from app.db import db

    db.session.info.setdefault(_PENDING, []).append((job, args, kwargs))


def eager() -> bool:
    return bool(celery.conf.task_always_eager)


@event.listens_for(Session, "after_commit")
def _start_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for job, args, kwargs in pending:
        if eager():
            _run_here(job, args, kwargs)
        else:
            job.apply_async(args=args, kwargs=kwargs)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _run_here(job: Task, args: tuple, kwargs: dict) -> None:
    """Without a broker: run the task now. `FlaskTask` gives it an application context of its own, so its own
    database session, not the one that is just finishing its commit. A failure is logged: the request that started
    it has committed, and the task records its own outcome."""
    result = job.apply(args=args, kwargs=kwargs, throw=False)
    if result.failed():
        celery.flask_app.logger.error("Task %s failed: %r", job.name, result.result)
