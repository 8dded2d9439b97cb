from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow


class Assignment(CreatedAtMixin, Model):
    """A case and a rubric (each at one version) set for a cohort, with its dates."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("due_at > opens_at", name="due_after_opening"),
        CheckConstraint("review_due_at >= due_at", name="review_after_due"),
        CheckConstraint("second_opinion_resolver IN ('leader', 'reviewer')", name="second_opinion_resolver_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, nullable=False)
    title: Mapped[str] = mapped_column(String(160), nullable=False)
    instructions: Mapped[str] = mapped_column(Text, default="", nullable=False)
    case_version_id: Mapped[int] = mapped_column(ForeignKey("case_versions.id"), index=True, nullable=False)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), index=True, nullable=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    allow_late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Who decides a second opinion on a plan of this assignment: "leader" (its course leaders) or "reviewer" (the
    # plan's first reviewer); `app.plans.workflow.RESOLVERS`.
    second_opinion_resolver: Mapped[str] = mapped_column(String(16), default="leader", server_default="leader",
                                                         nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cohort = relationship("Cohort")
    case_version = relationship("CaseVersion")
    rubric_version = relationship("RubricVersion")

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now and self.closed_at is None

    def has_opened(self, now: datetime | None = None) -> bool:
        return self.opens_at <= (now or utcnow())

    def is_past_due(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) > self.due_at
