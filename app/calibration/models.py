"""Calibration: plans the reviewers of an assignment all score, apart from any student, to see whether they agree.

A calibration plan is a copy of a plan's text (a submitted version a student consented to share, e.g. from an earlier
cohort), with the course leader's reference level and model comment per criterion. Instructors' calibration reviews
are kept here, in tables of their own, and never reach a student."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow


class CalibrationSettings(Model):
    """Per assignment: whether an instructor must submit a calibration review before their first live review."""

    __tablename__ = "calibration_settings"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True)
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class CalibrationPlan(CreatedAtMixin, Model):
    __tablename__ = "calibration_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    title: Mapped[str] = mapped_column(String(160), nullable=False)
    # Where the text came from; the text itself is copied (`content`), so the calibration plan stays as it was.
    source_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id", ondelete="SET NULL"))
    consent_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    language: Mapped[str] = mapped_column(String(8), default="en", nullable=False)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assignment = relationship("Assignment")
    rubric_version = relationship("RubricVersion")
    references = relationship("CalibrationReference", back_populates="calibration_plan",
                              cascade="all, delete-orphan", order_by="CalibrationReference.id")
    reviews = relationship("CalibrationReview", back_populates="calibration_plan", cascade="all, delete-orphan",
                           order_by="CalibrationReview.id")

    @property
    def unit(self) -> str:
        """How the agreement figures name this plan."""
        return f"calibration:{self.id}"

    def reference_for(self, criterion_key: str) -> CalibrationReference | None:
        return next((r for r in self.references if r.criterion_key == criterion_key), None)


class CalibrationReference(Model):
    """The course leader's reference level and model comment for one criterion of a calibration plan."""

    __tablename__ = "calibration_references"
    __table_args__ = (UniqueConstraint("calibration_plan_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calibration_plan_id: Mapped[int] = mapped_column(ForeignKey("calibration_plans.id", ondelete="CASCADE"),
                                                     index=True, nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    level_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)

    calibration_plan = relationship("CalibrationPlan", back_populates="references")


class CalibrationReview(CreatedAtMixin, Model):
    """One reviewer's calibration review of one calibration plan: editable until submitted, then fixed."""

    __tablename__ = "calibration_reviews"
    __table_args__ = (UniqueConstraint("calibration_plan_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calibration_plan_id: Mapped[int] = mapped_column(ForeignKey("calibration_plans.id", ondelete="CASCADE"),
                                                     index=True, nullable=False)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    calibration_plan = relationship("CalibrationPlan", back_populates="reviews")
    reviewer = relationship("User")
    scores = relationship("CalibrationScore", back_populates="review", cascade="all, delete-orphan",
                          order_by="CalibrationScore.id")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def score_for(self, criterion_key: str) -> CalibrationScore | None:
        return next((s for s in self.scores if s.criterion_key == criterion_key), None)


class CalibrationScore(Model):
    __tablename__ = "calibration_scores"
    __table_args__ = (UniqueConstraint("calibration_review_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calibration_review_id: Mapped[int] = mapped_column(ForeignKey("calibration_reviews.id", ondelete="CASCADE"),
                                                       index=True, nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    level_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)

    review = relationship("CalibrationReview", back_populates="scores")
