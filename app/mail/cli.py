from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import db
from app.mail import services
from app.mail.models import FAILED, QUEUED, SENDING, OutboxMessage

mail_cli = AppGroup("mail", help="The outbox: e-mail waiting to be sent, sent, or given up.")


@mail_cli.command("retry")
def retry() -> None:
    """Starts another attempt for each e-mail whose next attempt is due (what `mail.retry_unsent` does on the
    schedule). Without a broker each attempt runs here, one per message."""
    count = services.retry_unsent()
    waiting = db.session.scalar(db.select(db.func.count(OutboxMessage.id))
                                .where(OutboxMessage.status.in_((QUEUED, SENDING)))) or 0
    failed = db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == FAILED)) or 0
    click.echo(f"{count} e-mail{'' if count == 1 else 's'} tried again; {waiting} waiting, {failed} given up.")
