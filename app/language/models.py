from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import CreatedAtMixin, Model


class HintDismissal(CreatedAtMixin, Model):
    """A student's decision that a hint does not apply to one passage ("quoting Anna", "the term is hers")."""

    __tablename__ = "hint_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    field: Mapped[str] = mapped_column(String(80), nullable=False)      # section key or row field
    rule: Mapped[str] = mapped_column(String(120), nullable=False)
    text: Mapped[str] = mapped_column(String(200), nullable=False)      # the words the hint was about
    context: Mapped[str] = mapped_column(String(300), nullable=False)   # the words around them, to find the passage
    reason: Mapped[str] = mapped_column(Text, nullable=False)
