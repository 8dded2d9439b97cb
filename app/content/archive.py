"""Uploaded content files laid out on disk as `flask content import` expects them, so that the same checks read them.

An upload comes from a browser and is treated as hostile: a case's zip may name files outside its folder, hold links,
other archives, files of other kinds, or unpack to far more than it weighs. Each of these is refused with the name
the file has inside the zip; nothing is written outside the folder given."""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.content.validation import SLUG, ContentError
from app.content.yamlfile import YamlProblem, load

MAX_UPLOAD_BYTES = 5 * 1024 * 1024          # the file as sent
MAX_ENTRIES = 100                           # files in a case's zip
MAX_FILE_BYTES = 2 * 1024 * 1024            # one document, unpacked
MAX_UNPACKED_BYTES = 10 * 1024 * 1024       # every file of the zip together, unpacked
CASE_SUFFIXES = (".md", ".yaml", ".yml")
RUBRIC_SUFFIXES = (".yaml", ".yml")
# What operating systems add to a zip of a folder without being asked; never part of a case.
_SYSTEM_FILES = re.compile(r"(^|/)(__MACOSX/.*|\.DS_Store|Thumbs\.db|desktop\.ini)$")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class Unpacked:
    """Where the checks read the upload from: a case folder or a rubric file, and the folder its names are shown
    relative to (so that an error names the file as it is called inside the zip)."""
    path: Path | None = None
    display_root: Path | None = None
    errors: list[ContentError] = field(default_factory=list)


def megabytes(size: int) -> str:
    return format_decimal(round(size / (1024 * 1024), 1))


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def place_rubric(data: bytes, filename: str, into: Path) -> Unpacked:
    """A rubric is one YAML file; its name (the slug) is kept, as the command line reads it."""
    name = upload_name(filename)
    if is_zip(data):
        return Unpacked(errors=[ContentError(name, 0, _("Upload a rubric as its .yaml file, not as a zip."))])
    if not name.lower().endswith(RUBRIC_SUFFIXES):
        return Unpacked(errors=[ContentError(name, 0, _(
            "This is neither a case nor a rubric: upload a case as a .zip of its folder, a rubric as its .yaml file."))])
    if len(data) > MAX_FILE_BYTES:
        return Unpacked(errors=[ContentError(name, 0, _("The file is larger than %(mb)s MB.",
                                                        mb=megabytes(MAX_FILE_BYTES)))])
    path = into / name
    path.write_bytes(data)
    return Unpacked(path=path, display_root=into)


def upload_name(filename: str) -> str:
    """The file's own name as the browser sent it (never a path), or a stand-in when it gives none."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith(".") or len(name) > 200 or any(ord(c) < 32 for c in name):
        return "upload.yaml"
    return name


def unpack_case(data: bytes, filename: str, into: Path) -> Unpacked:
    """A case's zip, unpacked into `into` if every entry is safe; otherwise nothing is written and each problem is
    named. The case folder may be the zip's one top-level folder, or its files may lie at the top."""
    shown = upload_name(filename)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return Unpacked(errors=[ContentError(shown, 0, _("This is not a zip file that can be opened."))])

    errors: list[ContentError] = []
    files: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    seen: set[str] = set()
    for entry in entries:
        name = entry.filename
        if _SYSTEM_FILES.search(name):
            continue
        problem = _entry_problem(entry)
        if problem:
            errors.append(ContentError(name, 0, problem))
            continue
        if entry.is_dir():
            continue
        path = PurePosixPath(name)
        if str(path).casefold() in seen:
            errors.append(ContentError(name, 0, _("The zip holds this file twice.")))
            continue
        seen.add(str(path).casefold())
        files.append((entry, path))
    if len(files) > MAX_ENTRIES:
        return Unpacked(errors=[ContentError(shown, 0, _("The zip holds %(n)d files; a case has at most %(max)d.",
                                                         n=len(files), max=MAX_ENTRIES))])
    declared = sum(entry.file_size for entry, _path in files)
    if declared > MAX_UNPACKED_BYTES:
        return Unpacked(errors=[ContentError(shown, 0, _(
            "The zip unpacks to more than %(mb)s MB; a case's documents are far smaller.",
            mb=megabytes(MAX_UNPACKED_BYTES)))])
    if errors:
        return Unpacked(errors=errors)
    if not files:
        return Unpacked(errors=[ContentError(shown, 0, _("The zip is empty."))])

    folder_name, relative = _layout(files)
    in_folder = folder_name is not None
    if relative is None:
        return Unpacked(errors=[ContentError(shown, 0, _(
            "The zip must hold one case folder, or the case's files at its top; it holds files in several folders."))])
    for (entry, _path), inner in zip(files, relative):
        if len(inner.parts) != 1:
            errors.append(ContentError(entry.filename, 0, _(
                "A case folder holds only case.yaml and its documents; it cannot have folders inside.")))
        elif inner.suffix.lower() == ".zip":
            errors.append(ContentError(entry.filename, 0, _("A zip inside the zip is not read; unpack it first.")))
        elif inner.suffix.lower() not in CASE_SUFFIXES:
            errors.append(ContentError(entry.filename, 0, _(
                "Only case.yaml and .md documents belong in a case; this file is not one of them.")))
    if errors:
        return Unpacked(errors=errors)

    contents: dict[str, bytes] = {}
    total = 0
    for (entry, _path), inner in zip(files, relative):
        try:
            with archive.open(entry) as stream:
                body = stream.read(MAX_FILE_BYTES + 1)  # the header's size may lie: read no more than allowed
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError):
            errors.append(ContentError(entry.filename, 0, _("This file in the zip cannot be unpacked.")))
            continue
        total += len(body)
        if len(body) > MAX_FILE_BYTES:
            errors.append(ContentError(entry.filename, 0, _("The file is larger than %(mb)s MB.",
                                                            mb=megabytes(MAX_FILE_BYTES))))
        elif total > MAX_UNPACKED_BYTES:
            return Unpacked(errors=[ContentError(shown, 0, _(
                "The zip unpacks to more than %(mb)s MB; a case's documents are far smaller.",
                mb=megabytes(MAX_UNPACKED_BYTES)))])
        contents[inner.name] = body
    if errors:
        return Unpacked(errors=errors)

    if folder_name is None:
        folder_name = _folder_for_loose_files(contents.get("case.yaml"), shown)
    folder = into / folder_name
    folder.mkdir()
    for name, body in contents.items():
        (folder / name).write_bytes(body)
    # Errors name files as they are called inside the zip: with its folder when it has one, without when not.
    return Unpacked(path=folder, display_root=into if in_folder else folder)


def _entry_problem(entry: zipfile.ZipInfo) -> str | None:
    name = entry.filename
    mode = entry.external_attr >> 16
    if entry.flag_bits & 0x1:
        return _("The file is encrypted; upload a zip without a password.")
    if name.startswith("/") or _DRIVE.match(name) or "\\" in name:
        return _("The name is an absolute path or uses backslashes; a case's files sit inside its folder.")
    if any(part in ("..", ".") for part in name.split("/")) or "\x00" in name:
        return _("The name points outside the case folder.")
    if any(len(part) > 100 for part in name.split("/")):
        return _("The name is too long.")
    if stat.S_ISLNK(mode):
        return _("The file is a link; links are not followed.")
    if mode and not entry.is_dir() and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        return _("This is not an ordinary file.")
    return None


def _has_folder(files) -> bool:
    return all(len(path.parts) > 1 for _entry, path in files) and len({path.parts[0] for _e, path in files}) == 1


def _layout(files) -> tuple[str | None, list[PurePosixPath] | None]:
    """The name of the zip's one top-level folder (None when the files lie at the top), and each file's path inside
    the case folder; no paths when files lie in several top-level folders."""
    paths = [path for _entry, path in files]
    if _has_folder(files):
        top = paths[0].parts[0]
        return top, [PurePosixPath(*path.parts[1:]) for path in paths]
    if any(len(path.parts) == 1 for path in paths):
        # Files at the top (a folder beside them is reported file by file as a folder inside the case).
        return None, paths
    return None, None


def _folder_for_loose_files(case_yaml: bytes | None, upload: str) -> str:
    """A case folder is named by its slug. Files zipped without their folder have none: they are read as the folder
    their case.yaml names, or else as the zip's own name (the checks then say what does not match)."""
    if case_yaml is not None:
        try:
            data = load(case_yaml.decode("utf-8"))
        except (UnicodeDecodeError, YamlProblem):
            data = None
        slug = data.get("slug") if isinstance(data, dict) else None
        if isinstance(slug, str) and SLUG.match(slug):
            return slug
    stem = upload.rsplit(".", 1)[0]
    return stem if SLUG.match(stem) else "case"
