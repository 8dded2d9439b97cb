from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import CreatedAtMixin, Model


class ReminderSent(CreatedAtMixin, Model):
    """That one person was reminded of one thing about one assignment: once ever (`period` ""), or once a day
    (`period` the day, "2026-12-05"). The unique key is what keeps two runs of the schedule from both sending it."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "user_id", "assignment_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    period: Mapped[str] = mapped_column(String(10), default="", nullable=False)
