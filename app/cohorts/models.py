from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow

# Letters and digits that cannot be mistaken for each other when read aloud or from a slide.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


class Role(str, enum.Enum):
    student = "student"
    instructor = "instructor"
    leader = "leader"


class Cohort(CreatedAtMixin, Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    join_code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False, default=new_join_code)
    joining_open: Mapped[bool] = mapped_column(default=True, nullable=False)

    memberships = relationship("Membership", back_populates="cohort", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"


class Membership(CreatedAtMixin, Model):
    """A person's role in one cohort. Roles live here, never on the user."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="cohort_role", native_enum=False, validate_strings=True, length=16), nullable=False
    )
    # The school's number for a student, when known (for the course leader's exports); None when not given.
    student_number: Mapped[str | None] = mapped_column(String(32))
    # The course group (e.g. "fs:fc:emne:uio.no:MED4500:1") this membership came from at a sign-in, or None when it
    # was given by hand, a join code, a file or an invitation. Only memberships from a group are ever taken away
    # at a sign-in (when the person has left the group).
    source_group: Mapped[str | None] = mapped_column(String(255))

    cohort = relationship("Cohort", back_populates="memberships")
    user = relationship("User", back_populates="memberships")


ROLE_COLUMN = dict(native_enum=False, validate_strings=True, length=16)


class Invitation(CreatedAtMixin, Model):
    """An e-mail invitation to a cohort with a role. The link carries a token of which only a hash is kept; it works
    once, until `expires_at`, and not after it was revoked or sent again (a new token replaces the old one)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    name: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    role: Mapped[Role] = mapped_column(Enum(Role, name="invitation_role", **ROLE_COLUMN), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort = relationship("Cohort")
    invited_by = relationship("User", foreign_keys=[invited_by_id])
    accepted_by = relationship("User", foreign_keys=[accepted_by_id])

    @property
    def status(self) -> str:
        """accepted, revoked, expired or pending."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"
