from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cohorts.models import ROLE_COLUMN, Role
from app.db import CreatedAtMixin, Model, UTCDateTime


class Identity(CreatedAtMixin, Model):
    """An account at an OpenID Connect provider (Feide, or a school's own), keyed on the provider's issuer and its
    subject for the person: never on the e-mail address, which can change or be given to someone else."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    issuer: Mapped[str] = mapped_column(String(255), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    # Feide's user id (eduPersonPrincipalName, e.g. "nora@uio.no") and the e-mail address, as last given.
    eppn: Mapped[str | None] = mapped_column(String(254))
    email: Mapped[str | None] = mapped_column(String(254))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class GroupMapping(CreatedAtMixin, Model):
    """A course group at the provider (an FS course, "fs:fc:emne:uio.no:MED4500:1") that fills a cohort: at each
    sign-in, its students get `student_role` and its teachers `staff_role` (None: that kind is not added)."""

    __tablename__ = "group_mappings"
    __table_args__ = (UniqueConstraint("cohort_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, nullable=False)
    group_id: Mapped[str] = mapped_column(String(255), index=True, nullable=False)
    student_role: Mapped[Role | None] = mapped_column(Enum(Role, name="mapping_student_role", **ROLE_COLUMN))
    staff_role: Mapped[Role | None] = mapped_column(Enum(Role, name="mapping_staff_role", **ROLE_COLUMN))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cohort = relationship("Cohort")
