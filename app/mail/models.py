from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import CreatedAtMixin, Model, UTCDateTime

# Where an e-mail is: waiting for its first or next attempt, being handed to the mail server right now, handed over,
# given up after the last attempt, or kept here only (no mail server: development prints it, tests read it).
QUEUED, SENDING, SENT, FAILED, KEPT = "queued", "sending", "sent", "failed", "kept"


class OutboxMessage(CreatedAtMixin, Model):
    """Every e-mail the app sends, kept for the record (and read by the tests), with how its delivery went: the mail
    server is spoken to by a task after the request's commit (app/mail/tasks.py), never inside the request."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True, nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, server_default=QUEUED, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    # When the next attempt is due (queued), or until when the attempt under way holds the message (sending).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)  # the last attempt's failure
