"""The job queue without a broker: a task started in a transaction runs after its commit, in a session of its own,
and never when the transaction rolls back."""
from __future__ import annotations

from app.db import db
from app.jobs import after_commit, task
from app.mail.models import OutboxMessage

ran: list[tuple] = []


@task(name="tests.record_outbox_count")
def record_outbox_count(marker: str) -> None:
    # Runs in its own application context: it sees what the starting transaction committed.
    ran.append((marker, db.session.query(OutboxMessage).filter_by(kind=marker).count()))


def test_a_task_runs_after_the_commit_and_sees_what_was_committed(app):
    ran.clear()
    db.session.add(OutboxMessage(recipient="a@example.org", subject="s", body="b", kind="job-commit"))
    after_commit(record_outbox_count, "job-commit")
    assert ran == []  # nothing before the commit
    db.session.commit()
    assert ran == [("job-commit", 1)]
    db.session.commit()
    assert ran == [("job-commit", 1)]  # once only


def test_a_rolled_back_transaction_starts_nothing(app):
    ran.clear()
    db.session.add(OutboxMessage(recipient="a@example.org", subject="s", body="b", kind="job-rollback"))
    after_commit(record_outbox_count, "job-rollback")
    db.session.rollback()
    db.session.commit()
    assert ran == []
    assert db.session.query(OutboxMessage).filter_by(kind="job-rollback").count() == 0


@task(name="tests.which_app")
def which_app() -> str:
    from flask import current_app

    return current_app.name + ":" + str(current_app.config["SQLALCHEMY_DATABASE_URI"])


def test_a_task_started_in_an_app_runs_in_that_app_though_another_was_made_since(app, monkeypatch, tmp_path):
    """One process may hold two apps (a restore check makes one on the restored database): a task started in one
    runs against that app's database, not the app made last."""
    from app import create_app, jobs

    monkeypatch.setattr(jobs.celery, "flask_app", app)  # given back to this app afterwards
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/other.db")
    assert other is not app
    with app.app_context():
        assert which_app() == app.name + ":" + str(app.config["SQLALCHEMY_DATABASE_URI"])
