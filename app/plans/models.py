from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow
from app.plans.content import empty_content
from app.plans.states import PlanState


class Plan(CreatedAtMixin, Model):
    """One student's plan for one assignment: a draft they edit, and the versions they submitted."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("assignment_id", "student_id"),
        CheckConstraint("save_token >= 0", name="save_token_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    # The case and rubric versions the plan is written against, kept even if the assignment changes.
    case_version_id: Mapped[int] = mapped_column(ForeignKey("case_versions.id"), nullable=False)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), nullable=False)
    state: Mapped[PlanState] = mapped_column(
        Enum(PlanState, name="plan_state", native_enum=False, validate_strings=True, length=16),
        default=PlanState.draft, nullable=False, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    draft: Mapped[dict] = mapped_column(JSON, default=empty_content, nullable=False)
    # The language the plan is written in ("en", "nb"): its hints and checks speak it, whatever the pages speak.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en", nullable=False)
    save_token: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    assignment = relationship("Assignment")
    student = relationship("User", foreign_keys=[student_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    case_version = relationship("CaseVersion")
    rubric_version = relationship("RubricVersion")
    versions = relationship("PlanVersion", back_populates="plan", order_by="PlanVersion.number",
                            cascade="all, delete-orphan")
    if TYPE_CHECKING:
        version_count: Mapped[int]  # mapped below, after PlanVersion

    @property
    def cohort_id(self) -> int:
        return self.assignment.cohort_id

    @property
    def number_of_versions(self) -> int:
        """How many versions were submitted: counted from the versions when they are loaded, else by the database
        (pages that only show the count need not read every version's text)."""
        if "versions" in self.__dict__:
            return len(self.versions)
        return self.version_count

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_version(self) -> PlanVersion | None:
        """The version under way (submitted, in review, returned or completed), if any."""
        latest = self.latest_version
        if latest is None or latest.withdrawn_at is not None or self.state == PlanState.draft:
            return None
        return latest


def plans_table() -> Table:
    """The table of plans itself, for a statement that needs no ORM around it: the autosave's conditional write
    costs a third less CPU as a statement on the table than as an ORM-enabled UPDATE, and it synchronises nothing."""
    return cast("Table", Plan.__table__)


class PlanVersion(Model):
    """A frozen copy of the plan at submission. Never changed afterwards (except being marked withdrawn)."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    word_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # The draft's save token when it was submitted: a retried submit of the same draft finds this version.
    draft_token: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Language hints found when the version was frozen: {"findings": [...], "plan_hints": [...], "counts": {...}}
    hints: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    language: Mapped[str] = mapped_column(String(8), default="en", nullable=False)

    plan = relationship("Plan", back_populates="versions")


# The number of submitted versions, read in the same query as the plan where a page asks for it (`undefer`).
Plan.version_count = column_property(
    select(func.count(PlanVersion.id)).where(PlanVersion.plan_id == Plan.id).correlate_except(PlanVersion)
    .scalar_subquery(), deferred=True)


class VersionPdf(Model):
    """The PDF of a submitted version, rendered once and served from here afterwards. Keyed by a hash of the printed
    page and its stylesheet as well: the page of one version changes when feedback is released on it, or in another
    language.

    `state`: `rendering` while one request (or job) holds the claim to render it (`claimed_at`), `ready` with the
    file, `failed` with the reason (`error`); the page's HTML is kept until the file exists, so whoever renders it
    needs nothing else."""

    __tablename__ = "version_pdfs"
    __table_args__ = (
        UniqueConstraint("version_id", "html_hash"),
        CheckConstraint("state IN ('rendering', 'ready', 'failed')", name="state_known"),
        CheckConstraint("state != 'ready' OR data IS NOT NULL", name="ready_has_data"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True,
                                            nullable=False)
    html_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), default="rendering", nullable=False)
    html: Mapped[str | None] = mapped_column(Text)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version = relationship("PlanVersion")
