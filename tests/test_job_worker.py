"""E-mail through a real Celery worker (a subprocess) and Redis: a request only writes the outbox; the worker hands
the message to the mail server after the commit, tries again when the server is busy, and a rolled-back transaction
sends nothing. Runs against the suite's database (the SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from app import jobs
from app.db import db
from app.exports.models import ExportState, PlanExport
from app.mail.models import SENT, OutboxMessage
from app.mail.services import send_mail
from tests.conftest import login, post
from tests.factories import UserFactory
from tests.plan_helpers import World
from tests.smtp_server import FakeSmtp

BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate, seconds: float = 15, what: str = "the worker"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the worker committed
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds}s for {what}")


@pytest.fixture(scope="module")
def smtp():
    with FakeSmtp() as server:
        yield server


@pytest.fixture(scope="module")
def worker(app, database_url, smtp, tmp_path_factory):
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "CAREPLAN_ENV": "development", "DATABASE_URL": database_url,
           "CELERY_BROKER_URL": BROKER_URL, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "MAIL_RETRY_BACKOFF": "1", "MAIL_MAX_RETRIES": "3", "SECRET_KEY": "worker-test",
           "EXPORTS_FOLDER": app.config["EXPORTS_FOLDER"]}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "app.jobs.worker", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while b"ready." not in log.read_bytes():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        broker.flushdb()


@pytest.fixture
def with_broker(app, worker, smtp, monkeypatch):
    """This process hands tasks to Redis (as the web processes do in production) instead of running them."""
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", BROKER_URL)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    jobs.init_app(app)
    smtp.recorder.refuse_next = 0
    yield smtp.recorder
    monkeypatch.undo()
    jobs.init_app(app)


def test_a_password_reset_e_mail_is_sent_by_the_worker_after_the_request(app, client, with_broker):
    UserFactory(email="sara@example.org")
    db.session.commit()
    response = post(client, "/password/forgot", {"email": "sara@example.org"})
    assert response.status_code in (200, 302)
    received = wait_for(lambda: with_broker.to("sara@example.org"), what="the reset e-mail")
    assert "password" in received[0]["Subject"].lower()
    message = wait_for(lambda: db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.recipient == "sara@example.org", OutboxMessage.status == SENT)), what="the outbox row")
    assert message.attempts == 1 and message.sent_at is not None and message.error is None


def test_a_busy_mail_server_is_tried_again_until_it_takes_the_message(app, with_broker):
    with_broker.refuse_next = 2
    message = send_mail("busy@example.org", "Hello", "Twice refused, then taken.", kind="test")
    db.session.commit()
    message_id = message.id
    received = wait_for(lambda: with_broker.to("busy@example.org"), seconds=20, what="the third attempt")
    assert received[0]["Subject"] == "Hello"
    stored = wait_for(lambda: db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status == SENT)), what="the outbox row")
    assert stored.attempts == 3 and with_broker.attempts >= 3


def test_a_rolled_back_transaction_sends_nothing(app, with_broker):
    send_mail("never@example.org", "Never", "This transaction rolls back.", kind="test")
    db.session.rollback()
    assert redis.Redis.from_url(BROKER_URL).llen("celery") == 0  # nothing was handed to the worker
    send_mail("after@example.org", "After", "This one is committed.", kind="test")
    db.session.commit()
    wait_for(lambda: with_broker.to("after@example.org"), what="the committed e-mail")
    assert with_broker.to("never@example.org") == []
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))
                             .where(OutboxMessage.recipient == "never@example.org")) == 0


def test_an_export_started_by_a_course_leader_is_made_by_the_worker(app, client, with_broker):
    world = World(title="Anna, spring")
    login(client, world.leader.email)
    response = post(client, f"/assignments/{world.assignment.id}/exports")
    export_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    export = wait_for(lambda: db.session.scalar(db.select(PlanExport).where(
        PlanExport.id == export_id, PlanExport.state == ExportState.ready)), what="the export")
    assert export.worker_seen_at is not None and export.size
    download = client.get(f"/exports/{export_id}/download")
    try:
        assert download.status_code == 200 and download.get_data()[:2] == b"PK"  # a zip
    finally:
        download.close()
