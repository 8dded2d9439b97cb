"""A file a course leader has uploaded and previewed but not yet imported: kept until they confirm, discard it or it
expires, so that confirming does not ask for the file again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow

CASE = "case"
RUBRIC = "rubric"


class StagedUpload(CreatedAtMixin, Model):
    __tablename__ = "content_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address of its preview: random, so that one upload cannot be found from another.
    token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # CASE (a zip) | RUBRIC (a YAML file)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, nullable=False)

    owner = relationship("User")

    def has_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())
