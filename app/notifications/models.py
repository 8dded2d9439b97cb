from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime


class Notification(CreatedAtMixin, Model):
    """Something a person should know about; rendered in their language when shown."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # app.notifications.services.EMAIL_CHOICES
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    params: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    plan = relationship("Plan")


class EmailChoice(Model):
    """Whether a person also gets one kind of notification by e-mail. No row: the kind's default
    (`app.notifications.services.EMAIL_CHOICES`)."""

    __tablename__ = "notification_email_choices"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    by_email: Mapped[bool] = mapped_column(Boolean, nullable=False)
