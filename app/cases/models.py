from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model

STUDENTS = "students"
TEACHERS = "teachers"


def localized(texts: Mapping | None, locale: str, fallback_order=("en", "nb")) -> str:
    """The text in the wanted language, or the first one the content has."""
    if not texts:
        return ""
    if locale in texts:
        return texts[locale]
    for code in fallback_order:
        if code in texts:
            return texts[code]
    return next(iter(texts.values()))


class Case(CreatedAtMixin, Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)

    versions = relationship("CaseVersion", back_populates="case", order_by="CaseVersion.number",
                            cascade="all, delete-orphan")

    @property
    def latest(self) -> CaseVersion:
        return self.versions[-1]


class CaseVersion(CreatedAtMixin, Model):
    """One imported state of a case. Never changed after import: plans point at the version they used."""

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    languages: Mapped[list] = mapped_column(JSON, nullable=False)
    title: Mapped[dict] = mapped_column(JSON, nullable=False)
    summary: Mapped[dict] = mapped_column(JSON, nullable=False)
    person_name: Mapped[str] = mapped_column(String(120), nullable=False)
    person_age: Mapped[int | None] = mapped_column(Integer)

    case = relationship("Case", back_populates="versions")
    documents = relationship("CaseDocument", back_populates="version", order_by="CaseDocument.position",
                             cascade="all, delete-orphan")

    def title_in(self, locale: str) -> str:
        return localized(self.title, locale)

    def summary_in(self, locale: str) -> str:
        return localized(self.summary, locale)

    def reading_language(self, wanted: str | None) -> str:
        return wanted if wanted is not None and wanted in self.languages else self.languages[0]

    def documents_for(self, *, teachers: bool) -> list[CaseDocument]:
        return [d for d in self.documents if teachers or d.audience == STUDENTS]


class CaseDocument(Model):
    __tablename__ = "case_documents"
    __table_args__ = (UniqueConstraint("case_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_version_id: Mapped[int] = mapped_column(ForeignKey("case_versions.id", ondelete="CASCADE"), index=True,
                                                 nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    audience: Mapped[str] = mapped_column(String(16), nullable=False, default=STUDENTS)
    title: Mapped[dict] = mapped_column(JSON, nullable=False)
    bodies: Mapped[dict] = mapped_column(JSON, nullable=False)

    version = relationship("CaseVersion", back_populates="documents")

    @property
    def for_teachers(self) -> bool:
        return self.audience == TEACHERS

    def title_in(self, locale: str) -> str:
        return localized(self.title, locale)

    def body_in(self, locale: str) -> str:
        return localized(self.bodies, locale)


__all__ = ["Case", "CaseVersion", "CaseDocument", "localized", "datetime"]
