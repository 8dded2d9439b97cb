"""Enrolment from a CSV file: read it, say what each row would do, and on confirmation do all of it at once.

The preview and the confirmation read the same text. The confirmation form carries the text back with a
keyed checksum of the text and of what the preview promised; if either changed (someone edited the form, or
an account was created in between), nothing is done and the new preview is shown instead."""
from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.auth.models import User, normalise_email
from app.auth.services import create_user, send_invitation
from app.cohorts.models import Cohort, Membership, Role
from app.cohorts.services import STUDENT_NUMBER_LENGTH, add_member, role_label
from app.db import db
from app.errors import Conflict, ValidationError

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
MAX_NAME = 120

NEW_ACCOUNT = "new"
ADDED = "added"
ALREADY_MEMBER = "member"
ERROR = "error"
OUTCOME_LABELS = {
    NEW_ACCOUNT: _l("new account"),
    ADDED: _l("existing account added"),
    ALREADY_MEMBER: _l("already a member"),
    ERROR: _l("error"),
}

# The words a course leader may write in the role column, in English and Norwegian.
ROLE_WORDS = {
    "student": Role.student, "students": Role.student, "studenter": Role.student,
    "instructor": Role.instructor, "instructors": Role.instructor, "teacher": Role.instructor,
    "reviewer": Role.instructor, "veileder": Role.instructor, "instruktør": Role.instructor,
    "instruktor": Role.instructor, "lærer": Role.instructor,
    "leader": Role.leader, "course leader": Role.leader, "course_leader": Role.leader,
    "emneansvarlig": Role.leader, "kursleder": Role.leader, "leder": Role.leader,
}
COLUMN_WORDS = {
    "email": "email", "e-mail": "email", "e-mail address": "email", "mail": "email", "epost": "email",
    "e-post": "email", "e-postadresse": "email",
    "name": "name", "full name": "name", "navn": "name", "fullt navn": "name",
    "role": "role", "rolle": "role",
    "student number": "student_number", "student_number": "student_number", "student no": "student_number",
    "student id": "student_number", "studentnummer": "student_number", "studentnr": "student_number",
}


@dataclass
class EnrolmentRow:
    line: int
    email: str
    name: str
    role_text: str
    student_number: str = ""
    role: Role | None = None
    outcome: str = ERROR
    reason: str = ""
    user_id: int | None = None
    current_role: Role | None = None

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class EnrolmentPreview:
    cohort_id: int
    text: str
    rows: list[EnrolmentRow] = field(default_factory=list)

    @property
    def has_student_numbers(self) -> bool:
        return any(row.student_number for row in self.rows)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def actionable(self) -> list[EnrolmentRow]:
        return [row for row in self.rows if row.outcome in (NEW_ACCOUNT, ADDED)]

    def checksum(self) -> str:
        """A keyed digest of the text and of every row's outcome: what the person saw and confirms."""
        promised = [(row.line, row.email, row.outcome, row.role.value if row.role else None) for row in self.rows]
        message = json.dumps([self.cohort_id, self.text, promised], ensure_ascii=False).encode()
        return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def read_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without the mark spreadsheets add), else Windows-1252."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is too large. Upload at most %(n)d rows (1 MB).", n=MAX_ROWS))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as some spreadsheets save it
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_text(text: str) -> str:
    """One kind of line break, so the text reads the same after a round trip through the browser."""
    return "\n".join(text.lstrip("\ufeff").splitlines())


def encode_text(text: str) -> str:
    """The text for the confirmation form: base64, so that no browser changes a character of it."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_text(value: str) -> str:
    if len(value or "") > MAX_BYTES * 4 // 3 + 4:
        raise ValidationError(_("The file is too large. Upload at most %(n)d rows (1 MB).", n=MAX_ROWS))
    try:
        return base64.b64decode((value or "").encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ValidationError(_("The confirmation form was damaged. Upload the file again.")) from None


def _delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


def parse(text: str) -> list[EnrolmentRow]:
    """The rows of the file, each with its line number; problems of the whole file raise ValidationError."""
    try:
        return _parse(text)
    except csv.Error as exc:
        raise ValidationError(_("This does not read as a CSV file (%(reason)s).", reason=str(exc))) from None


def _parse(text: str) -> list[EnrolmentRow]:
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationError(_("The file is too large. Upload at most %(n)d rows (1 MB).", n=MAX_ROWS))
    if "\x00" in text:
        raise ValidationError(_("This is not a text file. Save the list from your spreadsheet as CSV and upload that."))
    lines = normalise_text(text).split("\n")
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1
    if skipped == len(lines):
        raise ValidationError(_("The file is empty. The first line names the columns: email, name, role."))
    reader = csv.reader(lines[skipped:], delimiter=_delimiter(lines[skipped]))
    header = [COLUMN_WORDS.get(" ".join(cell.strip().lower().split()), "") for cell in next(reader)]
    missing = [column for column in ("email", "name", "role") if column not in header]
    if missing:
        raise ValidationError(_("The first line must name the columns email, name and role (missing: %(columns)s).",
                                columns=", ".join(missing)))
    where: dict[str, int] = {column: header.index(column) for column in ("email", "name", "role", "student_number")
                             if column in header}

    def value(cells: list[str], column: str) -> str:
        index = where.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    rows: list[EnrolmentRow] = []
    for cells in reader:
        line = reader.line_num + skipped
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(_("The file has more than %(n)d rows. Split it into smaller files.", n=MAX_ROWS))
        rows.append(EnrolmentRow(line=line, email=value(cells, "email"), name=" ".join(value(cells, "name").split()),
                                 role_text=value(cells, "role"),
                                 student_number=" ".join(value(cells, "student_number").split())))
    if not rows:
        raise ValidationError(_("The file has a header line but no people in it."))
    return rows


def _role(text: str) -> Role | None:
    words = " ".join(text.lower().split())
    return Role.student if not words else ROLE_WORDS.get(words)


def preview(cohort: Cohort, text: str) -> EnrolmentPreview:
    """What each row would do, checked against the accounts and members as they are now. Changes nothing."""
    text = normalise_text(text)
    result = EnrolmentPreview(cohort_id=cohort.id, text=text, rows=parse(text))
    seen: dict[str, int] = {}
    for row in result.rows:
        try:
            row.email = normalise_email(validate_email(row.email, check_deliverability=False).normalized)
        except EmailNotValidError:
            row.reason = _("\"%(email)s\" is not a valid e-mail address.", email=row.email) if row.email \
                else _("The e-mail address is missing.")
            continue
        if len(row.email) > 254:
            row.reason = _("The e-mail address is too long.")
            continue
        if row.email in seen:
            row.reason = _("Duplicate row: the same e-mail address is on line %(line)d.", line=seen[row.email])
            continue
        seen[row.email] = row.line
        row.role = _role(row.role_text)
        if row.role is None:
            row.reason = _("Unknown role \"%(role)s\". Use student, instructor or leader.", role=row.role_text)
            continue
        if len(row.name) > MAX_NAME:
            row.reason = _("The name is longer than %(n)d characters.", n=MAX_NAME)
            continue
        if len(row.student_number) > STUDENT_NUMBER_LENGTH:
            row.reason = _("A student number has at most %(n)d characters.", n=STUDENT_NUMBER_LENGTH)
            continue
        row.outcome = ""
    emails = [row.email for row in result.rows if row.outcome == ""]
    users = _users_by_email(emails)
    roles = _roles_in(cohort, [user.id for user in users.values()])
    for row in result.rows:
        if row.outcome != "":
            continue
        user = users.get(row.email)
        if user is None:
            if not row.name:
                row.outcome, row.reason = ERROR, _("There is no account with this e-mail yet; give the person's name.")
            else:
                row.outcome = NEW_ACCOUNT
            continue
        row.user_id = user.id
        if user.id in roles:
            row.outcome, row.current_role = ALREADY_MEMBER, roles[user.id]
            if roles[user.id] != row.role:
                row.reason = _("Already %(role)s here; the role is not changed (change it in the member list).",
                               role=role_label(roles[user.id]))
        else:
            row.outcome = ADDED
    return result


def _users_by_email(emails: list[str]) -> dict[str, User]:
    found = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        for user in db.session.scalars(db.select(User).where(db.func.lower(User.email).in_(chunk))):
            found[normalise_email(user.email)] = user
    return found


def _roles_in(cohort: Cohort, user_ids: list[int]) -> dict[int, Role]:
    roles = {}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        for user_id, role in db.session.execute(db.select(Membership.user_id, Membership.role).where(
                Membership.cohort_id == cohort.id, Membership.user_id.in_(chunk))):
            roles[user_id] = role
    return roles


def enrol(cohort: Cohort, text: str, checksum: str, *, actor: User) -> EnrolmentPreview:
    """Create and add everyone the preview promised, in the caller's transaction. New accounts are invited.

    Raises Conflict, with the fresh preview attached, when the text or the outcomes differ from the preview."""
    result = preview(cohort, text)
    if not hmac.compare_digest(result.checksum(), checksum or ""):
        raise PreviewChanged(result)
    if not result.actionable:
        raise ValidationError(_("Nobody in this file needs to be added."))
    users = {user.id: user for user in db.session.scalars(
        db.select(User).where(User.id.in_([row.user_id for row in result.actionable if row.user_id])))}
    for row in result.actionable:
        assert row.role is not None  # a row with an unknown role is not actionable
        if row.outcome == NEW_ACCOUNT:
            user = create_user(row.email, row.name, None, actor=actor)
            row.user_id = user.id
        else:
            user = users[row.user_id]
        membership = add_member(cohort, user, row.role, actor=actor)
        if row.student_number:
            membership.student_number = row.student_number
        if row.outcome == NEW_ACCOUNT:
            send_invitation(user, cohort.name, role_label(row.role))
    record("cohort.enrolled", actor=actor, cohort=cohort, subject=cohort,
           new_accounts=result.count(NEW_ACCOUNT), added=result.count(ADDED),
           already_members=result.count(ALREADY_MEMBER), errors=result.count(ERROR))
    db.session.flush()
    return result


class PreviewChanged(Conflict):
    def __init__(self, fresh: EnrolmentPreview):
        super().__init__(_("The list changed since the preview (or someone joined in the meantime). "
                           "Check the new preview and confirm again."))
        self.preview = fresh
