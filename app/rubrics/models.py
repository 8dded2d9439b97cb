from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import localized
from app.db import CreatedAtMixin, Model


class Rubric(CreatedAtMixin, Model):
    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)

    versions = relationship("RubricVersion", back_populates="rubric", order_by="RubricVersion.number",
                            cascade="all, delete-orphan")

    @property
    def latest(self) -> RubricVersion:
        return self.versions[-1]


class RubricVersion(CreatedAtMixin, Model):
    """One imported state of a rubric: levels and criteria with a descriptor per level and language."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    languages: Mapped[list] = mapped_column(JSON, nullable=False)
    title: Mapped[dict] = mapped_column(JSON, nullable=False)
    description: Mapped[dict] = mapped_column(JSON, nullable=False)
    # [{"key": "not_yet", "title": {"en": ...}}, ...], lowest first
    levels: Mapped[list] = mapped_column(JSON, nullable=False)
    # [{"key", "title": {...}, "description": {...}, "descriptors": {level: {lang: text}}}, ...]
    criteria: Mapped[list] = mapped_column(JSON, nullable=False)

    rubric = relationship("Rubric", back_populates="versions")

    def title_in(self, locale: str) -> str:
        return localized(self.title, locale)

    def description_in(self, locale: str) -> str:
        return localized(self.description, locale)

    def level_keys(self) -> list[str]:
        return [level["key"] for level in self.levels]

    def criterion_keys(self) -> list[str]:
        return [criterion["key"] for criterion in self.criteria]

    def level_title(self, key: str, locale: str) -> str:
        for level in self.levels:
            if level["key"] == key:
                return localized(level["title"], locale)
        return key
