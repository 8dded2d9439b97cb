from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime


class ExportState(str, enum.Enum):
    building = "building"  # steps add the plans one by one, then the zip is put together
    ready = "ready"  # the zip can be downloaded until `expires_at`
    expired = "expired"  # the file is deleted: past its expiry, or its people's data were anonymised


class PlanExport(CreatedAtMixin, Model):
    """One zip of an assignment's plans, asked for by a course leader.

    `plan_ids` are the plans it holds, fixed when it is asked for, in that order; `done` of them are written so
    far (each as a part file of its own in the export's folder), `total` in all. Whoever runs a step holds the claim
    (`claim`, a counter, and `claimed_at`): taking it is one conditional update, so two tabs, or a tab and a job,
    never write the same export at once, and a claim left behind is taken over after a while."""

    __tablename__ = "plan_exports"
    __table_args__ = (
        CheckConstraint("done >= 0 AND done <= total", name="done_within_total"),
        CheckConstraint("state != 'ready' OR file_name IS NOT NULL", name="ready_has_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en", nullable=False)
    state: Mapped[ExportState] = mapped_column(
        Enum(ExportState, name="export_state", native_enum=False, validate_strings=True, length=16),
        default=ExportState.building, nullable=False)
    plan_ids: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    total: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    done: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    claim: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    file_name: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # With a job queue: when a worker last showed it is making this export (handed over, or a step done). While that
    # is recent, the export's page only shows how far it has come; after EXPORT_CLAIM_STALE the page carries on.
    worker_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    assignment = relationship("Assignment")
    requested_by = relationship("User")

    @property
    def is_ready(self) -> bool:
        return self.state == ExportState.ready

    @property
    def is_building(self) -> bool:
        return self.state == ExportState.building
