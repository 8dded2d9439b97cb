from __future__ import annotations

import enum
import secrets

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model

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

    cohort = relationship("Cohort", back_populates="memberships")
    user = relationship("User", back_populates="memberships")
