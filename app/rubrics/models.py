from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, RowMapping, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import localized
from app.db import CreatedAtMixin, Model


class RubricReading:
    """What pages read of a rubric version: the same for the stored version and its kept copy (`KeptRubric`)."""

    if TYPE_CHECKING:
        title: Mapping[str, str]
        description: Mapping[str, str]
        levels: Sequence[Mapping[str, Any]]
        criteria: Sequence[Mapping[str, Any]]

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


class Rubric(CreatedAtMixin, Model):
    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)

    versions = relationship("RubricVersion", back_populates="rubric", order_by="RubricVersion.number",
                            cascade="all, delete-orphan")

    @property
    def latest(self) -> RubricVersion:
        return self.versions[-1]


class RubricVersion(RubricReading, CreatedAtMixin, Model):
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


# The columns a kept rubric is made of.
KEPT_COLUMNS = ("id", "fingerprint", "languages", "title", "description", "levels", "criteria")


@dataclass(frozen=True, eq=False)
class KeptRubric(RubricReading):
    """A rubric version as unchangeable plain data (tuples and read-only mappings), kept per worker by its id and
    fingerprint (`app.rubrics.queries.rubric_for_reading`): a version never changes once imported, and reading
    and decoding its criteria took a review page a tenth of its time. Being read-only, a page cannot change it
    for the next one."""

    id: int
    fingerprint: str
    languages: Sequence[str]
    title: Mapping[str, str]
    description: Mapping[str, str]
    levels: Sequence[Mapping[str, Any]]
    criteria: Sequence[Mapping[str, Any]]
    size: int  # bytes, near enough: what it counts in a bounded store

    @classmethod
    def of(cls, row: RowMapping) -> KeptRubric:
        parts = {name: _read_only(row[name]) for name in KEPT_COLUMNS}
        return cls(**parts, size=len(repr(row)) * 2)

    def __sizeof__(self) -> int:
        return self.size


def _read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(item) for item in value)
    return value
