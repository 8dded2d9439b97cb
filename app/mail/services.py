"""One outbox for all e-mail, kept in the database. A request only writes its messages there; each is handed to the
mail server (or, in development without one, printed to the console) by the `mail.send` task once the request's
transaction has committed, and tried again with a growing pause when the server refuses it or cannot be reached."""
from __future__ import annotations

import smtplib
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage

from celery.utils.time import get_exponential_backoff_interval
from flask import current_app

from app import jobs
from app.db import db, utcnow
from app.mail.models import FAILED, KEPT, QUEUED, SENDING, SENT, OutboxMessage

SEND_TASK = "mail.send"
# A failed hand-over that is worth trying again: the server could not be reached, refused for now, or broke off.
DELIVERY_ERRORS = (OSError, smtplib.SMTPException)
# An attempt holds its message this long; a message still "sending" after it (a stopped worker) is tried again.
SENDING_LEASE = timedelta(minutes=10)


def send_mail(recipient: str, subject: str, body: str, *, kind: str = "") -> OutboxMessage:
    """Puts an e-mail in the outbox with the current transaction; it is sent after the commit, never before, and
    not at all when the transaction rolls back."""
    delivers = _delivers()
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, kind=kind,
                            status=QUEUED if delivers else KEPT, attempts=0,
                            next_attempt_at=utcnow() if delivers else None)
    db.session.add(message)
    db.session.flush()
    if delivers:
        jobs.after_commit(SEND_TASK, message.id)
    return message


def _delivers() -> bool:
    """Whether the app hands e-mail on at all: to a mail server, or to the console in development. Without either
    (the tests), a message is kept in the outbox only."""
    config = current_app.config
    return bool(config.get("MAIL_SERVER") or config.get("MAIL_ECHO"))


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failed ones: MAIL_RETRY_BACKOFF, doubled after each failure,
    at most MAIL_RETRY_BACKOFF_MAX."""
    config = current_app.config
    return get_exponential_backoff_interval(factor=max(1, int(config["MAIL_RETRY_BACKOFF"])),
                                            retries=max(0, attempts - 1),
                                            maximum=int(config["MAIL_RETRY_BACKOFF_MAX"]), full_jitter=False)


def attempt_delivery(message_id: int) -> int | None:
    """One attempt to hand message `message_id` over, with its outcome recorded on it (and committed). Returns the
    seconds until the next attempt when this one failed and another is allowed, else None (sent, given up, or
    nothing to do: already sent, or another attempt holds it)."""
    now = utcnow()
    claimed = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's result has a row count
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id,
               db.or_(OutboxMessage.status == QUEUED,
                      db.and_(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at <= now)))
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=now + SENDING_LEASE)
    ).rowcount
    db.session.commit()  # the claim is seen by every other worker before the mail server is spoken to
    if not claimed:
        return None
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    config = current_app.config
    try:
        if config.get("MAIL_SERVER"):
            _send_smtp(message)
            message.status = SENT
        else:
            if config.get("MAIL_ECHO"):
                _echo(message)
            message.status = KEPT
    except DELIVERY_ERRORS as exc:
        message.error = (str(exc) or type(exc).__name__)[:2000]
        delay = None
        if message.attempts > int(config["MAIL_MAX_RETRIES"]):
            message.status, message.next_attempt_at = FAILED, None
            current_app.logger.error("Mail %s to %s not sent after %d attempts: %s", message.id, message.recipient,
                                     message.attempts, exc)
        else:
            delay = retry_delay(message.attempts)
            message.status, message.next_attempt_at = QUEUED, utcnow() + timedelta(seconds=delay)
            current_app.logger.warning("Mail %s to %s not sent (attempt %d), next in %ds: %s", message.id,
                                       message.recipient, message.attempts, delay, exc)
        db.session.commit()
        return delay
    message.sent_at, message.error, message.next_attempt_at = utcnow(), None, None
    db.session.commit()
    return None


def due_messages(now: datetime | None = None, *, grace: timedelta = timedelta(0), limit: int = 500) -> list[int]:
    """The messages whose next attempt is due: waiting past their time (by more than `grace`), or held by an
    attempt that never finished."""
    now = now or utcnow()
    return list(db.session.scalars(
        db.select(OutboxMessage.id)
        .where(db.or_(db.and_(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now - grace),
                      db.and_(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at <= now)))
        .order_by(OutboxMessage.id).limit(limit)))


def retry_unsent(now: datetime | None = None) -> int:
    """Starts an attempt for each message whose next attempt is due; returns how many. Without a broker each runs
    here, one attempt each. With one, the worker's own retries come first: a message is taken up here only when its
    retry is late by a lease's length (a lost task, a broker that was down when it was sent)."""
    grace = timedelta(0) if jobs.eager() else SENDING_LEASE
    due = due_messages(now, grace=grace)
    db.session.commit()
    for message_id in due:
        jobs.start(SEND_TASK, message_id)
    return len(due)


def _echo(message: OutboxMessage) -> None:
    print(f"\n--- e-mail to {message.recipient} ---\nSubject: {message.subject}\n\n{message.body}\n"
          "--- end of e-mail ---\n", file=sys.stderr, flush=True)


def _send_smtp(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)
