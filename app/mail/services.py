"""One outbox for all e-mail: kept in the database, printed in development, sent by SMTP when configured."""
from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

from app.db import db, utcnow
from app.mail.models import OutboxMessage


def send_mail(recipient: str, subject: str, body: str, *, kind: str = "") -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, kind=kind)
    db.session.add(message)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            _send_smtp(message)
            message.sent_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:  # kept in the outbox with the reason
            current_app.logger.warning("Mail to %s not sent: %s", recipient, exc)
            message.error = str(exc)
    elif config.get("MAIL_ECHO"):
        print(
            f"\n--- e-mail to {recipient} ---\nSubject: {subject}\n\n{body}\n--- end of e-mail ---\n",
            file=sys.stderr,
            flush=True,
        )
    db.session.flush()
    return message


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
