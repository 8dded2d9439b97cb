"""The job queue: everything sent outside the app (e-mail, scores to a learning platform, reminders) runs as a Celery
task, started only once the request's transaction has committed.

With `CELERY_BROKER_URL` set (Redis in production), `after_commit` hands the task to the broker and a worker runs
it. Without a broker (the `make run` default and the tests), the task runs in this process right after the commit,
in an application context of its own, so one command still serves everything. A rolled-back transaction starts
nothing. Tasks live in each domain's `tasks.py` (listed in `app/jobs/schedule.py` TASK_MODULES, with the periodic
ones in SCHEDULE); the worker and beat start from `app/jobs/worker.py`."""
from __future__ import annotations

import importlib
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

celery = Celery("careplan")

_PENDING = "careplan_jobs_after_commit"


class FlaskTask(Task):
    """A task that runs inside a Flask application context of its own (its own database session): of the app that
    started it when it runs in this process, else (in a worker) of the app the worker made."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        app = current_app._get_current_object() if has_app_context() else self.app.flask_app  # type: ignore[attr-defined]
        with app.app_context():
            return self.run(*args, **kwargs)


def init_app(app: Flask) -> Celery:
    from app.jobs.schedule import SCHEDULE, TASK_MODULES

    broker = app.config.get("CELERY_BROKER_URL") or None
    if celery._pool is not None and celery.conf.broker_url != (broker or "memory://"):
        # An app made with another broker than the last one (tests): its connections come from the new one (kombu
        # keeps each broker's pool open for when it is used again).
        celery._pool = None
        celery.amqp._producer_pool = None
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_ignore_result=True,
        result_expires=None,  # no results are kept, so beat needs no clean-up entry of its own
        task_always_eager=broker is None,
        task_eager_propagates=False,
        task_acks_late=True,  # a worker that dies mid-task leaves it for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A retry waits up to MAIL_RETRY_BACKOFF_MAX (an hour) in Redis: it must not be handed out again meanwhile.
        broker_transport_options={"visibility_timeout": 3 * 3600},
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        imports=TASK_MODULES,
        beat_schedule=SCHEDULE,
    )
    celery.conf.update(app.config.get("CELERY", {}))
    celery.Task = FlaskTask
    celery.flask_app = app
    app.extensions["celery"] = celery
    for module in TASK_MODULES:  # every task is known here too, not only in a worker
        importlib.import_module(module)
    return celery


def task(*args: Any, **kwargs: Any):
    """Declare a task: `@task(name="mail.send")`. Tasks are plain functions that also run when called directly."""
    return celery.task(*args, base=FlaskTask, **kwargs)


def after_commit(job: Task | str, *args: Any, **kwargs: Any) -> None:
    """Start `job(*args, **kwargs)` once the current transaction commits; nothing happens if it rolls back. `job` is
    a task or a task's name ("mail.send"), so that a domain's services need not import its own tasks module."""
    from app.db import db

    db.session.info.setdefault(_PENDING, []).append((job, args, kwargs))


def eager() -> bool:
    return bool(celery.conf.task_always_eager)


def start(job: Task | str, *args: Any, **kwargs: Any) -> None:
    """Start `job` now: handed to the broker, or without one run here (its failure logged, not raised)."""
    if eager():
        _run_here(job, args, kwargs)
    else:
        _task(job).apply_async(args=args, kwargs=kwargs)


def _task(job: Task | str) -> Task:
    return celery.tasks[job] if isinstance(job, str) else job


@event.listens_for(Session, "after_commit")
def _start_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for job, args, kwargs in pending:
        try:
            start(job, *args, **kwargs)
        except Exception:  # the broker is unreachable: the request has committed, and must not fail now
            # Each task's own records let it be taken up later (an e-mail waits in the outbox for mail.retry_unsent).
            celery.flask_app.logger.exception("Task %s not handed to the broker", getattr(job, "name", job))


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _run_here(job: Task | str, args: tuple, kwargs: dict) -> None:
    """Without a broker: run the task now. `FlaskTask` gives it an application context of its own, so its own
    database session, not the one that is just finishing its commit. A failure is logged: the request that started
    it has committed, and the task records its own outcome."""
    task_ = _task(job)
    result = task_.apply(args=args, kwargs=kwargs, throw=False)
    if result.failed():
        celery.flask_app.logger.error("Task %s failed: %r", task_.name, result.result)
