"""A cohort's plans for one assignment as one zip, built in steps.

`start_export` fixes which plans it holds; `run_step` adds the next few and, after the last, puts the zip together.
A step is a unit of work of its own (it commits, also while PDFs are rendered), so the export page can call it again
and again to show real progress. With a job queue (a broker configured), starting an export also hands it to a
worker, which calls the same function in a loop (`run_to_end`), and the page only shows how far it has come.

Each plan is written as a part file of its own, under a temporary name then renamed, and the zip is assembled from
the parts at the end, under a temporary name then renamed: two steps at once (two tabs, a stale claim taken over)
can waste work but never leave a broken file."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from app import jobs
from app.assignments.models import Assignment
from app.cohorts.models import Membership
from app.dashboard import services as dashboard
from app.db import db, rowcount, utcnow
from app.errors import NotFound
from app.exports.models import ExportState, PlanExport
from app.i18n import format_moment
from app.plans.models import Plan, PlanVersion
from app.plans.pdf import PdfRefused
from app.plans.printing import frozen_version_pdf
from app.plans.structured import fhir_bundle, sip_document
from app.reviews.models import Review
from app.urls import external_url

# --- what each frozen version contributes ------------------------------------------------------------------------


class VersionFile(NamedTuple):
    """One file per frozen version: its name (`{number}` is the version's number) and what makes its content
    (bytes, text, or a dict written as JSON). A producer that cannot make its file raises; the zip then holds
    `<name>.txt` saying why, and the export goes on."""

    pattern: str
    produce: Callable[[PlanVersion], bytes | str | dict]
    description: object = None  # what the README says of these files (a lazy string)


def _version_pdf(version: PlanVersion) -> bytes:
    return frozen_version_pdf(version)


VERSION_FILES: list[VersionFile] = [
    VersionFile("version-{number}.pdf", _version_pdf,
                _l("the version as printed, with the feedback released on it when the file was made")),
    VersionFile("version-{number}.fhir.json", fhir_bundle, _l("the version as an HL7 FHIR R4 Bundle (CarePlan)")),
    VersionFile("version-{number}.sip.json", sip_document,
                _l("the version following the Swedish SIP information structure")),
]

CSV_TABLE = "students"  # the dashboard's student table, as its "Download CSV" link gives it


# --- starting, reading and forgetting exports ------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    export_id: int
    state: str
    done: int
    total: int
    busy: bool = False  # another step holds the claim right now

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)


def progress_of(export: PlanExport, *, busy: bool = False) -> Progress:
    return Progress(export.id, export.state.value, export.done, export.total, busy)


def exports_root() -> Path:
    configured = current_app.config.get("EXPORTS_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "exports"


def folder_of(export: PlanExport) -> Path:
    assert export.file_name
    return exports_root() / Path(export.file_name).parent


def file_of(export: PlanExport) -> Path:
    assert export.file_name
    return exports_root() / export.file_name


def _slug(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or fallback


def _keep() -> timedelta:
    return timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])


def exported_plan_ids(assignment: Assignment) -> list[int]:
    """The assignment's plans with at least one frozen version (a draft never submitted has nothing to export)."""
    submitted = db.select(PlanVersion.plan_id).where(PlanVersion.plan_id == Plan.id).exists()
    return list(db.session.scalars(db.select(Plan.id).where(Plan.assignment_id == assignment.id, submitted)
                                   .order_by(Plan.id)))


def start_export(assignment: Assignment, actor, *, locale: str, now: datetime | None = None) -> PlanExport:
    """A new export of the assignment's plans, in `locale` (its README, CSV and PDFs), or the one `actor` started
    and is still being built. Expired exports' files are deleted first."""
    now = now or utcnow()
    forget_expired(now)
    under_way = db.session.scalar(db.select(PlanExport).where(
        PlanExport.assignment_id == assignment.id, PlanExport.requested_by_id == actor.id,
        PlanExport.state == ExportState.building, PlanExport.locale == locale).order_by(PlanExport.id.desc()))
    if under_way is not None:
        return under_way
    plan_ids = exported_plan_ids(assignment)
    folder = f"{secrets.token_hex(8)}"
    name = f"{_slug(assignment.title, 'assignment')}-plans-{now:%Y-%m-%d}.zip"
    export = PlanExport(assignment_id=assignment.id, requested_by_id=actor.id, locale=locale,
                        state=ExportState.building, plan_ids=plan_ids, total=len(plan_ids), done=0,
                        file_name=f"{folder}/{name}", created_at=now, expires_at=now + _keep())
    db.session.add(export)
    db.session.flush()
    if not jobs.eager():  # a worker makes it; without one, the page's steps do
        export.worker_seen_at = now
        jobs.after_commit(BUILD_TASK, export.id)
    return export


BUILD_TASK = "exports.run_to_end"


def left_to_worker(export: PlanExport, now: datetime | None = None) -> bool:
    """Whether a worker is making the export: it was handed to one, and the worker was seen at it within
    EXPORT_CLAIM_STALE (else the page carries it on, as without a job queue)."""
    if export.worker_seen_at is None or export.state != ExportState.building:
        return False
    stale = timedelta(seconds=current_app.config["EXPORT_CLAIM_STALE"])
    return export.worker_seen_at > (now or utcnow()) - stale


def worker_seen(export_id: int) -> None:
    db.session.execute(update(PlanExport).where(PlanExport.id == export_id).values(worker_seen_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def recent_exports(assignment: Assignment, limit: int = 5) -> list[PlanExport]:
    return list(db.session.scalars(db.select(PlanExport).where(
        PlanExport.assignment_id == assignment.id, PlanExport.state != ExportState.expired,
        PlanExport.expires_at > utcnow())
        .order_by(PlanExport.id.desc()).limit(limit)))


def _delete_files(export: PlanExport) -> None:
    if export.file_name:
        shutil.rmtree(folder_of(export), ignore_errors=True)


def forget(exports) -> int:
    """Deletes these exports' files; their rows stay, marked expired, so a link to one says what happened."""
    count = 0
    for export in exports:
        _delete_files(export)
        export.state = ExportState.expired
        count += 1
    db.session.flush()
    return count


def forget_expired(now: datetime | None = None) -> int:
    now = now or utcnow()
    return forget(db.session.scalars(db.select(PlanExport).where(
        PlanExport.state != ExportState.expired, PlanExport.expires_at < now)))


def is_expired(export: PlanExport, now: datetime | None = None) -> bool:
    return export.state == ExportState.expired or export.expires_at < (now or utcnow())


def forget_exports_with(user_id: int) -> int:
    """Deletes every export that may hold this person's name: of the cohorts they belong to, of assignments where
    they wrote or reviewed a plan, and those they asked for."""
    cohorts = db.select(Membership.cohort_id).where(Membership.user_id == user_id)
    wrote = db.select(Plan.assignment_id).where(Plan.student_id == user_id)
    reviewing = db.select(Plan.assignment_id).where(Plan.reviewer_id == user_id)
    reviewed = db.select(Plan.assignment_id).join(Review, Review.plan_id == Plan.id).where(Review.reviewer_id == user_id)
    assignments = db.select(Assignment.id).where(or_(
        Assignment.cohort_id.in_(cohorts), Assignment.id.in_(wrote), Assignment.id.in_(reviewing),
        Assignment.id.in_(reviewed)))
    return forget(db.session.scalars(db.select(PlanExport).where(
        PlanExport.state != ExportState.expired,
        or_(PlanExport.assignment_id.in_(assignments), PlanExport.requested_by_id == user_id))))


# --- the steps ----------------------------------------------------------------------------------------------------


def _claim(export: PlanExport) -> bool:
    """Takes the export's one claim to run a step: free, or left behind for longer than EXPORT_CLAIM_STALE."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["EXPORT_CLAIM_STALE"])
    taken = db.session.execute(
        update(PlanExport)
        .where(PlanExport.id == export.id, PlanExport.state == ExportState.building,
               PlanExport.claim == export.claim, or_(PlanExport.claimed_at.is_(None), PlanExport.claimed_at < stale))
        .values(claim=PlanExport.claim + 1, claimed_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(export)
    return rowcount(taken) == 1


def _advance(export_id: int, claim: int, index: int) -> bool:
    """Counts plan `index` as written, if this step still holds the claim."""
    moved = db.session.execute(
        update(PlanExport)
        .where(PlanExport.id == export_id, PlanExport.claim == claim, PlanExport.done == index,
               PlanExport.state == ExportState.building)
        .values(done=index + 1, claimed_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return rowcount(moved) == 1


def _release(export_id: int, claim: int) -> None:
    db.session.execute(update(PlanExport).where(PlanExport.id == export_id, PlanExport.claim == claim)
                       .values(claimed_at=None).execution_options(synchronize_session=False))
    db.session.commit()


def run_step(export_id: int) -> Progress:
    """Adds the next plans to the export (at most EXPORT_STEP_PLANS, and no new plan after EXPORT_STEP_SECONDS) and,
    once all are in, puts the zip together. Returns how far it has come; `busy` when another step holds the claim
    (nothing is done then). Commits: a unit of work of its own."""
    export = db.session.get(PlanExport, export_id)
    if export is None:
        raise NotFound()
    if export.state == ExportState.building and is_expired(export):  # left unfinished for longer than it is kept
        forget([export])
        db.session.commit()
    if export.state != ExportState.building:
        return progress_of(export)
    if not _claim(export):
        return progress_of(export, busy=True)
    claim = export.claim
    config = current_app.config
    started = time.monotonic()
    written = 0
    with force_locale(export.locale):
        while export.done < export.total:
            index = export.done
            _write_part(export, index, claim)
            if not _advance(export.id, claim, index):  # taken over meanwhile: that step carries on
                db.session.refresh(export)
                return progress_of(export, busy=True)
            db.session.refresh(export)
            written += 1
            if written >= config["EXPORT_STEP_PLANS"] or time.monotonic() - started > config["EXPORT_STEP_SECONDS"]:
                break
        if export.done == export.total:
            _assemble(export, claim)
    _release(export.id, claim)
    db.session.refresh(export)
    return progress_of(export)


def run_to_end(export_id: int, *, by_worker: bool = False) -> Progress:
    """What a job queue's worker does with an export: steps until it is made (or another step holds it). A worker
    notes after each step that it is still at it (`worker_seen_at`)."""
    while True:
        progress = run_step(export_id)
        if by_worker:
            worker_seen(export_id)
        if progress.state != ExportState.building.value or progress.busy:
            return progress


def _parts(export: PlanExport) -> Path:
    return folder_of(export) / "parts"


def _part_path(export: PlanExport, index: int) -> Path:
    return _parts(export) / f"{index:05d}.zip"


def _write_atomically(path: Path, claim: int, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{claim}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def plan_folder(plan: Plan) -> str:
    return f"plans/{_slug(plan.student.name, 'student')}-plan-{plan.id}"


def _content_bytes(content: bytes | str | dict) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


def _not_made_text(plan: Plan, version: PlanVersion, name: str, reason: str) -> str:
    why = {
        "too_large": _("The plan is too large to be made into a PDF."),
        "timeout": _("Making the PDF took too long and was stopped."),
    }.get(reason, _("The file could not be made."))
    link = external_url("plans.print_view", plan_id=plan.id, number=version.number)
    return _("%(name)s is missing from this export.\n\n%(why)s\n\nThe version can still be read and printed "
             "in Care Plan Lab: %(link)s\n", name=name, why=why, link=link)


def version_entries(plan: Plan, version: PlanVersion) -> list[tuple[str, bytes]]:
    """The files of one frozen version, each under the plan's folder: one per `VERSION_FILES` producer, or a
    text file saying why it is missing."""
    entries = []
    for pattern, produce, _description in VERSION_FILES:
        name = pattern.format(number=version.number)
        try:
            content = _content_bytes(produce(version))
        except PdfRefused as refused:
            current_app.logger.warning("Export: %s of plan %s not made: %s", name, plan.id, refused)
            entries.append((f"{name}.txt", _not_made_text(plan, version, name, refused.reason).encode("utf-8")))
            continue
        except Exception:  # one file that cannot be made never stops the export of a whole cohort
            current_app.logger.exception("Export: %s of plan %s not made", name, plan.id)
            db.session.rollback()
            entries.append((f"{name}.txt", _not_made_text(plan, version, name, "failed").encode("utf-8")))
            continue
        entries.append((name, content))
    return entries


def _write_part(export: PlanExport, index: int, claim: int) -> None:
    plan = db.session.get(Plan, export.plan_ids[index])
    entries: list[tuple[str, bytes]] = []
    if plan is not None:
        folder = plan_folder(plan)
        for version in sorted(plan.versions, key=lambda v: v.number):
            entries += [(f"{folder}/{name}", data) for name, data in version_entries(plan, version)]

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as part:
            for name, data in entries:
                part.writestr(name, data)

    _write_atomically(_part_path(export, index), claim, write)


def csv_name(assignment: Assignment) -> str:
    return dashboard.csv_filename(assignment, CSV_TABLE)


def dashboard_csv(assignment: Assignment, locale: str) -> str:
    """The dashboard's student table as CSV: the very code of its "Download CSV" link, without filters."""
    built = dashboard.build(assignment, locale=locale)
    return dashboard.to_csv(dashboard.export_table(built, CSV_TABLE, dashboard.Filters.from_args({})))


def readme(export: PlanExport, now: datetime) -> str:
    assignment = export.assignment
    lines = [
        _("Care Plan Lab: the plans of %(assignment)s (%(cohort)s)", assignment=assignment.title,
          cohort=assignment.cohort.name),
        "",
        _("Made %(date)s for %(name)s.", date=format_moment(now),
          name=export.requested_by.name if export.requested_by else "-"),
        _("Plans submitted at least once: %(count)s. Drafts never submitted are not included.",
          count=export.total),
        "",
        _("What is in this file:"),
        "- " + _("%(file)s: the students of the progress page, as its \"Download CSV\" link gives them.",
                 file=csv_name(assignment)),
        "- " + _("plans/<student>-plan-<number>/: one folder per plan, with these files for each submitted "
                 "version:"),
    ]
    for version_file in VERSION_FILES:
        lines.append("  - " + version_file.pattern.format(number="<n>")
                     + (f": {version_file.description}" if version_file.description else ""))
    lines += [
        "  " + _("Where a file could not be made, a text file of the same name ending in .txt says why."),
        "",
        _("This file holds personal data about students and reviewers. Keep it only as long as you need it, and "
          "only where the course's data may be kept."),
        "",
    ]
    return "\n".join(lines)


def _assemble(export: PlanExport, claim: int) -> None:
    """Puts the zip together from the README, the CSV and the plans' parts, and marks the export ready."""
    now = utcnow()
    assignment = export.assignment
    csv_text = dashboard_csv(assignment, export.locale)
    text = readme(export, now)

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.writestr("README.txt", text)
            out.writestr(csv_name(assignment), csv_text)
            for index in range(export.total):
                with zipfile.ZipFile(_part_path(export, index)) as part:
                    for info in part.infolist():
                        out.writestr(info.filename, part.read(info), compress_type=info.compress_type)

    target = file_of(export)
    _write_atomically(target, claim, write)
    done = db.session.execute(
        update(PlanExport)
        .where(PlanExport.id == export.id, PlanExport.claim == claim, PlanExport.state == ExportState.building)
        .values(state=ExportState.ready, size=target.stat().st_size, finished_at=now, expires_at=now + _keep())
        .execution_options(synchronize_session=False))
    db.session.commit()
    if rowcount(done) == 1:
        shutil.rmtree(_parts(export), ignore_errors=True)

