"""Cases and rubrics uploaded in the browser: checked exactly as `flask content import` checks files on disk,
previewed, kept until the uploader confirms, then imported by the same code as the command line."""
from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask_babel import gettext as _

from app.cases.models import Case, CaseVersion
from app.content import archive
from app.content.models import CASE, RUBRIC, StagedUpload
from app.content.services import (
    ContentInvalid,
    Outcome,
    build_case_version,
    build_rubric_version,
    write_content,
)
from app.content.validation import CaseContent, ContentError, RubricContent, read_case, read_rubric
from app.db import db, utcnow
from app.errors import Conflict
from app.rubrics.models import Rubric, RubricVersion

KEEP_FOR = timedelta(hours=2)
KEEP_PER_PERSON = 5  # previewed uploads kept for one person; older ones go when a newer one arrives

NEW = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
INVALID = "invalid"


@dataclass
class UploadCheck:
    """What an uploaded file holds and what importing it would do."""
    kind: str
    filename: str
    errors: list[ContentError] = field(default_factory=list)
    content: CaseContent | RubricContent | None = None
    current: CaseVersion | RubricVersion | None = None   # the latest imported version with the same slug
    proposed: CaseVersion | RubricVersion | None = None  # the version an import would add (not in the database)

    @property
    def action(self) -> str:
        if self.errors or self.content is None:
            return INVALID
        if self.current is None:
            return NEW
        return UNCHANGED if self.current.fingerprint == self.content.fingerprint else UPDATED

    @property
    def slug(self) -> str | None:
        return self.content.slug if self.content else None

    @property
    def current_number(self) -> int:
        return self.current.number if self.current is not None else 0


class PreviewChanged(Conflict):
    """Someone imported another version of the same case or rubric between the preview and the confirmation."""

    def __init__(self, check: UploadCheck):
        super().__init__(_("Version %(number)d was imported meanwhile. Check what would change now, then import "
                           "again.", number=check.current_number))
        self.check = check


def kind_of(data: bytes) -> str:
    """A zip is a case (its folder); anything else is read as a rubric's YAML file."""
    return CASE if archive.is_zip(data) else RUBRIC


def check_upload(data: bytes, filename: str) -> UploadCheck:
    """Lay the upload out as the command line reads files, run the command line's checks, and compare with what is
    imported already. Writes nothing to the database."""
    kind = kind_of(data)
    name = archive.upload_name(filename)
    with tempfile.TemporaryDirectory(prefix="careplan-upload-") as tmp:
        into = Path(tmp)
        unpacked = archive.unpack_case(data, name, into) if kind == CASE else archive.place_rubric(data, name, into)
        if unpacked.errors or unpacked.path is None or unpacked.display_root is None:
            return UploadCheck(kind, name, errors=unpacked.errors)
        content: CaseContent | RubricContent | None
        if kind == CASE:
            content, errors = read_case(unpacked.path, unpacked.display_root)
        else:
            content, errors = read_rubric(unpacked.path, unpacked.display_root)
    check = UploadCheck(kind, name, errors=errors, content=content)
    if content is not None and not errors:
        check.current = _latest(kind, content.slug)
        number = check.current_number + 1
        if isinstance(content, CaseContent):
            check.proposed = build_case_version(content, number)
        else:
            check.proposed = build_rubric_version(content, number)
    return check


def _latest(kind: str, slug: str) -> CaseVersion | RubricVersion | None:
    if kind == CASE:
        return db.session.scalar(db.select(CaseVersion).join(Case).where(Case.slug == slug)
                                 .order_by(CaseVersion.number.desc()).limit(1))
    return db.session.scalar(db.select(RubricVersion).join(Rubric).where(Rubric.slug == slug)
                             .order_by(RubricVersion.number.desc()).limit(1))


def stage_upload(data: bytes, filename: str, owner) -> StagedUpload:
    """Keep a checked upload until its owner confirms or discards it (or it expires). Flushes."""
    now = utcnow()
    db.session.execute(db.delete(StagedUpload).where(StagedUpload.expires_at <= now))
    older = db.session.scalars(db.select(StagedUpload.id).where(StagedUpload.owner_id == owner.id)
                               .order_by(StagedUpload.id.desc()).offset(KEEP_PER_PERSON - 1)).all()
    if older:
        db.session.execute(db.delete(StagedUpload).where(StagedUpload.id.in_(older)))
    upload = StagedUpload(token=secrets.token_urlsafe(32), owner_id=owner.id, kind=kind_of(data),
                          filename=archive.upload_name(filename), data=data, expires_at=now + KEEP_FOR)
    db.session.add(upload)
    db.session.flush()
    return upload


def staged_upload(token: str) -> StagedUpload | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(db.select(StagedUpload).where(StagedUpload.token == token))


def import_upload(upload: StagedUpload, actor, *, based_on: int) -> tuple[UploadCheck, list[Outcome]]:
    """Import a previewed upload as the command line would, recorded as `actor`'s. Refused (`PreviewChanged`) when
    the latest version is no longer the one the preview compared with. Flushes; the caller commits."""
    check = check_upload(upload.data, upload.filename)
    if check.errors or check.content is None:
        raise ContentInvalid(check.errors)
    if check.current_number != based_on:
        raise PreviewChanged(check)
    cases = [check.content] if isinstance(check.content, CaseContent) else []
    rubrics = [check.content] if isinstance(check.content, RubricContent) else []
    outcomes = write_content(cases, rubrics, actor=actor)
    db.session.delete(upload)
    db.session.flush()
    return check, outcomes


def discard_upload(upload: StagedUpload) -> None:
    db.session.delete(upload)
    db.session.flush()
