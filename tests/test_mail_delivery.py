"""Without a broker (the default): an e-mail is handed to the mail server right after its request's commit, in one
attempt; a refused one waits in the outbox with its reason until its next attempt is due, and `mail.retry_unsent`
(or `flask mail retry`) tries it again, until MAIL_MAX_RETRIES."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app import jobs
from app.db import db, utcnow
from app.mail import services
from app.mail.models import FAILED, KEPT, QUEUED, SENT, OutboxMessage
from app.mail.services import send_mail
from app.mail.tasks import retry_unsent
from tests.smtp_server import FakeSmtp, free_port


@pytest.fixture
def smtp(app, monkeypatch):
    with FakeSmtp() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(app.config, "MAIL_RETRY_BACKOFF", 60)
        monkeypatch.setitem(app.config, "MAIL_MAX_RETRIES", 2)
        yield server.recorder


def stored(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_an_e_mail_is_sent_after_the_commit_not_before(app, smtp):
    message = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test")
    assert smtp.received == [] and message.status == QUEUED
    db.session.commit()
    assert [m["Subject"] for m in smtp.to("ada@example.org")] == ["Welcome"]
    sent = stored(message.id)
    assert (sent.status, sent.attempts, sent.error) == (SENT, 1, None) and sent.sent_at is not None


def test_a_rolled_back_e_mail_is_never_sent(app, smtp):
    send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test")
    db.session.rollback()
    db.session.commit()
    assert smtp.attempts == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_a_refused_e_mail_waits_for_its_next_attempt_then_is_sent(app, smtp):
    smtp.refuse_next = 1
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()
    waiting = stored(message_id)
    assert smtp.attempts == 1 and smtp.received == []  # one attempt only: no loop in this process
    assert waiting.status == QUEUED and waiting.attempts == 1 and "451" in waiting.error
    assert timedelta(seconds=55) < waiting.next_attempt_at - utcnow() <= timedelta(seconds=60)

    assert services.retry_unsent() == 0  # not due yet
    assert smtp.attempts == 1
    assert services.retry_unsent(utcnow() + timedelta(seconds=61)) == 1
    sent = stored(message_id)
    assert (sent.status, sent.attempts, sent.error) == (SENT, 2, None)
    assert len(smtp.to("ada@example.org")) == 1


def test_an_e_mail_refused_every_time_is_given_up_after_the_last_retry(app, smtp):
    smtp.refuse_next = 10
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()
    later = utcnow()
    for pause in (61, 121):  # the pause doubles: 60 s, then 120 s
        later += timedelta(seconds=pause)
        assert services.retry_unsent(later) == 1
    given_up = stored(message_id)
    assert (given_up.status, given_up.attempts, given_up.next_attempt_at) == (FAILED, 3, None)
    assert services.retry_unsent(later + timedelta(days=1)) == 0
    assert smtp.attempts == 3 and smtp.received == []


def test_the_scheduled_task_and_the_command_retry_what_is_due(app, smtp):
    smtp.refuse_next = 1
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert retry_unsent() == 1  # the task beat starts
    assert stored(message_id).status == SENT

    smtp.refuse_next = 1
    other_id = send_mail("bo@example.org", "Welcome", "Hello Bo", kind="test").id
    db.session.commit()
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == other_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail tried again; 0 waiting, 0 given up." in result.output
    assert stored(other_id).status == SENT and len(smtp.to("bo@example.org")) == 1


def test_without_a_mail_server_development_prints_the_e_mail(app, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "MAIL_ECHO", True)
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    assert "Hello Ada" not in capsys.readouterr().err
    db.session.commit()
    assert "--- e-mail to ada@example.org ---" in capsys.readouterr().err
    assert stored(message_id).status == KEPT


def test_without_a_mail_server_or_console_the_e_mail_is_kept_in_the_outbox(app, capsys):
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()
    assert capsys.readouterr().err == ""
    kept = stored(message_id)
    assert kept.status == KEPT and kept.attempts == 0


def test_an_unreachable_mail_server_is_tried_again_when_it_is_back(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there: the connection is refused
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()
    waiting = stored(message_id)
    assert waiting.status == QUEUED and waiting.attempts == 1 and waiting.error
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    assert services.retry_unsent(utcnow() + timedelta(minutes=2)) == 1
    assert stored(message_id).status == SENT and len(smtp.to("ada@example.org")) == 1


def test_an_e_mail_not_handed_to_an_unreachable_broker_waits_in_the_outbox(app, smtp, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("the broker is down")

    monkeypatch.setitem(jobs.celery.conf, "task_always_eager", False)  # as with CELERY_BROKER_URL set
    monkeypatch.setattr(jobs.celery.tasks["mail.send"], "apply_async", unreachable)
    message_id = send_mail("ada@example.org", "Welcome", "Hello Ada", kind="test").id
    db.session.commit()  # the request still succeeds
    assert stored(message_id).status == QUEUED and smtp.attempts == 0
    assert services.retry_unsent() == 0  # a worker's retry would come first ...
    handed = []
    monkeypatch.setattr(jobs.celery.tasks["mail.send"], "apply_async", lambda args, kwargs: handed.append(args))
    assert services.retry_unsent(utcnow() + services.SENDING_LEASE + timedelta(seconds=1)) == 1  # ... not this late
    assert handed == [(message_id,)]
