from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow


class Review(CreatedAtMixin, Model):
    """The feedback on one submitted version. Invisible to the student until released."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("save_token >= 0", name="save_token_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), unique=True,
                                                 nullable=False)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    overall: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Counts the saves of the levels and messages: a save sent from a page that read an older count is refused
    # (two tabs writing the same review), so neither overwrites the other unseen.
    save_token: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    plan = relationship("Plan")
    version = relationship("PlanVersion")
    reviewer = relationship("User")
    scores = relationship("CriterionScore", back_populates="review", cascade="all, delete-orphan")
    comments = relationship("AnchoredComment", back_populates="review", cascade="all, delete-orphan",
                            order_by="AnchoredComment.id")

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    def score_for(self, criterion_key: str) -> CriterionScore | None:
        for score in self.scores:
            if score.criterion_key == criterion_key:
                return score
        return None


class CriterionScore(Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    level_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)

    review = relationship("Review", back_populates="scores")


class AnchoredComment(CreatedAtMixin, Model):
    """A comment on an exact passage: the quoted text, where it stood, and a little context to find it again."""

    __tablename__ = "anchored_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    anchor_key: Mapped[str] = mapped_column(String(80), nullable=False)  # e.g. "what_matters", "goals.g1.text"
    quote: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    prefix: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    suffix: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review = relationship("Review", back_populates="comments")


class CommentBankEntry(CreatedAtMixin, Model):
    """An instructor's own saved comment, to insert again later."""

    __tablename__ = "comment_bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Reflection(CreatedAtMixin, Model):
    """What the student will change and why, in answer to the feedback on one version."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("plan_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
