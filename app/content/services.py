"""Importing cases and rubrics: everything is checked first, then written in one transaction, or nothing is."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.audit.services import record
from app.cases.models import Case, CaseDocument, CaseVersion
from app.content.validation import CaseContent, ContentError, RubricContent, read_case, read_rubric
from app.db import db
from app.rubrics.models import Rubric, RubricVersion


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Outcome:
    kind: str      # "case" | "rubric"
    slug: str
    action: str    # "created" | "updated" | "unchanged"
    version: int
    path: str

    def __str__(self) -> str:
        verb = {"created": "created", "updated": "updated (new version)", "unchanged": "unchanged"}[self.action]
        return f"{self.kind} {self.slug}: {verb}, version {self.version}  ({self.path})"


def discover(paths: list[Path], root: Path) -> tuple[list[Path], list[Path], list[ContentError]]:
    """Which case folders and rubric files the given paths mean (no paths: everything under root)."""
    if not paths:
        paths = [root / "cases", root / "rubrics"]
    case_dirs: list[Path] = []
    rubric_files: list[Path] = []
    errors: list[ContentError] = []

    def add(items: list[Path], item: Path) -> None:
        if item.resolve() not in [i.resolve() for i in items]:
            items.append(item)

    for path in paths:
        if not path.exists():
            if path in (root / "cases", root / "rubrics"):
                continue
            errors.append(ContentError(str(path), 1, "no such file or folder"))
        elif path.is_dir() and (path / "case.yaml").exists():
            add(case_dirs, path)
        elif path.is_dir() and any(child.is_dir() and (child / "case.yaml").exists() for child in path.iterdir()):
            for child in sorted(path.iterdir()):
                if child.is_dir() and (child / "case.yaml").exists():
                    add(case_dirs, child)
        elif path.is_dir() and any(path.glob("*.yaml")):
            for child in sorted(path.glob("*.yaml")):
                add(rubric_files, child)
        elif path.is_dir() and path.resolve() == root.resolve():
            for sub in ("cases", "rubrics"):
                more = discover([path / sub], root)
                case_dirs += more[0]
                rubric_files += more[1]
                errors += more[2]
        elif path.is_file() and path.name == "case.yaml" or path.is_file() and path.suffix == ".md":
            add(case_dirs, path.parent)
        elif path.is_file() and path.suffix in (".yaml", ".yml"):
            add(rubric_files, path)
        elif path.is_dir():
            errors.append(ContentError(str(path), 1, "this folder holds no case.yaml and no rubric files"))
        else:
            errors.append(ContentError(str(path), 1, "not a case or rubric file (expected case.yaml, a .md document or a rubric .yaml)"))
    return case_dirs, rubric_files, errors


def read_all(paths: list[Path], root: Path) -> tuple[list[CaseContent], list[RubricContent]]:
    case_dirs, rubric_files, errors = discover(paths, root)
    cases: list[CaseContent] = []
    rubrics: list[RubricContent] = []
    for folder in case_dirs:
        case, problems = read_case(folder, root)
        errors += problems
        if case:
            cases.append(case)
    for file in rubric_files:
        rubric, problems = read_rubric(file, root)
        errors += problems
        if rubric:
            rubrics.append(rubric)
    if errors:
        raise ContentInvalid(errors)
    return cases, rubrics


def import_content(paths: list[Path], root: Path, *, actor=None) -> list[Outcome]:
    """Check everything, then add what is new or changed. Flushes; the caller commits (or rolls back)."""
    cases, rubrics = read_all(paths, root)
    return write_content(cases, rubrics, actor=actor)


def write_content(cases: list[CaseContent], rubrics: list[RubricContent], *, actor=None) -> list[Outcome]:
    """Add what is new or changed of content that has been read and checked. Flushes; the caller commits."""
    outcomes = [_import_case(content, actor) for content in cases]
    outcomes += [_import_rubric(content, actor) for content in rubrics]
    db.session.flush()
    return outcomes


def build_case_version(content: CaseContent, number: int) -> CaseVersion:
    """The version a case's content becomes, not yet in the database (an import adds it; a preview only shows it)."""
    version = CaseVersion(number=number, fingerprint=content.fingerprint, languages=list(content.languages),
                          title=content.title, summary=content.summary, person_name=content.person_name,
                          person_age=content.person_age)
    for position, doc in enumerate(content.documents):
        version.documents.append(CaseDocument(position=position, key=doc.key, audience=doc.audience,
                                              title=doc.title, bodies=doc.bodies))
    return version


def build_rubric_version(content: RubricContent, number: int) -> RubricVersion:
    """The version a rubric's content becomes, not yet in the database."""
    canonical = content.canonical()
    return RubricVersion(number=number, fingerprint=content.fingerprint, languages=list(content.languages),
                         title=content.title, description=content.description, levels=canonical["levels"],
                         criteria=canonical["criteria"])


def _import_case(content: CaseContent, actor) -> Outcome:
    case = db.session.scalar(db.select(Case).where(Case.slug == content.slug))
    action = "created"
    if case is None:
        case = Case(slug=content.slug)
        db.session.add(case)
        db.session.flush()
        number = 1
    else:
        latest = case.latest if case.versions else None
        if latest is not None and latest.fingerprint == content.fingerprint:
            return Outcome("case", content.slug, "unchanged", latest.number, content.path)
        number = (latest.number if latest else 0) + 1
        action = "updated"
    version = build_case_version(content, number)
    version.case_id = case.id
    db.session.add(version)
    db.session.flush()
    case.versions.append(version) if version not in case.versions else None
    record("content.case_imported", actor=actor, subject=version, slug=content.slug, version=number, action=action)
    return Outcome("case", content.slug, action, number, content.path)


def _import_rubric(content: RubricContent, actor) -> Outcome:
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == content.slug))
    action = "created"
    if rubric is None:
        rubric = Rubric(slug=content.slug)
        db.session.add(rubric)
        db.session.flush()
        number = 1
    else:
        latest = rubric.latest if rubric.versions else None
        if latest is not None and latest.fingerprint == content.fingerprint:
            return Outcome("rubric", content.slug, "unchanged", latest.number, content.path)
        number = (latest.number if latest else 0) + 1
        action = "updated"
    version = build_rubric_version(content, number)
    version.rubric_id = rubric.id
    db.session.add(version)
    db.session.flush()
    rubric.versions.append(version) if version not in rubric.versions else None
    record("content.rubric_imported", actor=actor, subject=version, slug=content.slug, version=number, action=action)
    return Outcome("rubric", content.slug, action, number, content.path)
