"""The mail tasks: each message is handed over after its request's commit, and tried again until sent or given up."""
from __future__ import annotations

from flask import current_app

from app.jobs import task
from app.mail import services


@task(name=services.SEND_TASK, bind=True)
def send(self, message_id: int) -> None:
    """One attempt; on a failure the worker tries again after the message's pause (Celery's retry with the
    outbox's backoff), until MAIL_MAX_RETRIES. Without a broker a failure is not tried again in this process: the
    message waits in the outbox for `mail.retry_unsent` (beat, or `flask mail retry`)."""
    delay = services.attempt_delivery(message_id)
    if delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay, max_retries=int(current_app.config["MAIL_MAX_RETRIES"]))


@task(name="mail.retry_unsent")
def retry_unsent() -> int:
    return services.retry_unsent()
