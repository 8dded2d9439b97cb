"""Reading and checking content files. Every problem names the file, the line and what is wrong."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content.yamlfile import LineDict, LineList, YamlProblem, load

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
AUDIENCES = ("students", "teachers")
CASE_KEYS = {"slug", "languages", "title", "person", "summary", "documents"}
PERSON_KEYS = {"name", "age"}
DOCUMENT_KEYS = {"key", "title", "audience"}
RUBRIC_KEYS = {"slug", "languages", "title", "description", "levels", "criteria"}
LEVEL_KEYS = {"key", "title"}
CRITERION_KEYS = {"key", "title", "description", "descriptors"}


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class CaseDocumentContent:
    key: str
    title: dict
    audience: str
    bodies: dict = field(default_factory=dict)


@dataclass
class CaseContent:
    slug: str
    languages: list
    title: dict
    summary: dict
    person_name: str
    person_age: int | None
    documents: list
    path: str

    def canonical(self) -> dict:
        return {
            "slug": self.slug, "languages": list(self.languages), "title": dict(self.title),
            "summary": dict(self.summary), "person": {"name": self.person_name, "age": self.person_age},
            "documents": [{"key": d.key, "title": dict(d.title), "audience": d.audience, "bodies": dict(d.bodies)}
                          for d in self.documents],
        }

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.canonical())


@dataclass
class RubricContent:
    slug: str
    languages: list
    title: dict
    description: dict
    levels: list
    criteria: list
    path: str

    def canonical(self) -> dict:
        return {"slug": self.slug, "languages": list(self.languages), "title": dict(self.title),
                "description": dict(self.description), "levels": _plain(self.levels), "criteria": _plain(self.criteria)}

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.canonical())


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _Checker:
    """Collects errors for one file instead of stopping at the first."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[ContentError] = []

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def mapping(self, value, line: int, what: str) -> LineDict | None:
        if not isinstance(value, LineDict):
            self.error(getattr(value, "line", line), f"{what} must be a mapping of keys to values")
            return None
        return value

    def keys(self, data: LineDict, allowed: set, required: set, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(data.line_of(key), f"unknown key '{key}' in {what} (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(data)):
            self.error(data.line, f"{what} has no '{key}'")

    def text(self, data: LineDict, key: str, what: str) -> str | None:
        value = data.get(key)
        if key not in data:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(data.line_of(key), f"{what} must be a non-empty text")
            return None
        return value.strip()

    def localized(self, data: LineDict, key: str, languages: list, what: str) -> dict:
        if key not in data:
            return {}
        value = data[key]
        line = data.line_of(key)
        if not isinstance(value, LineDict):
            self.error(line, f"{what} must give one text per language, like {{en: \"...\", nb: \"...\"}}")
            return {}
        result = {}
        for lang in value:
            if lang not in languages:
                self.error(value.line_of(lang), f"{what} has a text in '{lang}', which is not in languages")
        for lang in languages:
            text = value.get(lang)
            if lang not in value:
                self.error(line, f"{what} has no text in '{lang}'")
            elif not isinstance(text, str) or not text.strip():
                self.error(value.line_of(lang), f"{what} in '{lang}' must be a non-empty text")
            else:
                result[lang] = text.strip()
        return result

    def languages(self, data: LineDict) -> list:
        value = data.get("languages")
        if "languages" not in data:
            return []
        line = data.line_of("languages")
        if not isinstance(value, list) or not value:
            self.error(line, "languages must be a list of language codes, like [en, nb]")
            return []
        result = []
        for index, lang in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LineList) else line
            if not isinstance(lang, str) or not LANGUAGE.match(lang):
                self.error(item_line, f"'{lang}' is not a language code (two or three lowercase letters, like en or nb)")
            elif lang in result:
                self.error(item_line, f"the language '{lang}' is listed twice")
            else:
                result.append(lang)
        return result

    def slug(self, data: LineDict, expected: str, where: str) -> str | None:
        slug = data.get("slug")
        if "slug" not in data:
            return None
        line = data.line_of("slug")
        if not isinstance(slug, str) or not SLUG.match(slug):
            self.error(line, f"slug '{slug}' must be lowercase letters, digits and hyphens")
            return None
        if slug != expected:
            self.error(line, f"slug '{slug}' must equal the {where} '{expected}'")
            return None
        return slug

    def keyed_items(self, data: LineDict, list_key: str, noun: str, allowed: set, required: set):
        """The mappings of a list whose items each have a unique `key`; yields (mapping, key, line)."""
        seen: list[str] = []
        for item, line in self.item_list(data, list_key, list_key):
            mapping = self.mapping(item, line, f"each {noun}")
            if mapping is None:
                continue
            self.keys(mapping, allowed, required, f"a {noun}")
            key = mapping.get("key")
            if "key" in mapping and (not isinstance(key, str) or not KEY.match(key)):
                self.error(mapping.line_of("key"), f"{noun} key '{key}' must be lowercase letters, digits and underscores")
                continue
            if key in seen:
                self.error(mapping.line_of("key"), f"the {noun} '{key}' is listed twice")
                continue
            if key is None:
                continue
            seen.append(key)
            yield mapping, key, line

    def item_list(self, data: LineDict, key: str, what: str) -> list:
        if key not in data:
            return []
        value = data[key]
        if not isinstance(value, LineList) or not value:
            self.error(data.line_of(key), f"{what} must be a non-empty list")
            return []
        return list(zip(value, value.item_lines))


def _read(path: Path, display: str, checker: _Checker):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        checker.error(1, f"the file is not UTF-8 text ({exc.reason})")
        return None
    except OSError as exc:
        checker.error(1, f"cannot read the file: {exc.strerror}")
        return None
    try:
        return load(text)
    except YamlProblem as problem:
        checker.error(problem.line, f"YAML syntax: {problem.message}")
        return None


def read_case(folder: Path, display_root: Path) -> tuple[CaseContent | None, list[ContentError]]:
    yaml_path = folder / "case.yaml"
    display = _display(yaml_path, display_root)
    checker = _Checker(display)
    if not yaml_path.is_file():
        checker.error(1, "a case folder needs a case.yaml")
        return None, checker.errors
    data = _read(yaml_path, display, checker)
    if data is None:
        return None, checker.errors
    data = checker.mapping(data, 1, "case.yaml")
    if data is None:
        return None, checker.errors
    checker.keys(data, CASE_KEYS, CASE_KEYS, "the case")
    slug = checker.slug(data, folder.name, "folder name")
    languages = checker.languages(data)
    title = checker.localized(data, "title", languages, "title")
    summary = checker.localized(data, "summary", languages, "summary")

    name, age = None, None
    if "person" in data:
        person = checker.mapping(data["person"], data.line_of("person"), "person")
        if person is not None:
            checker.keys(person, PERSON_KEYS, PERSON_KEYS, "person")
            name = checker.text(person, "name", "person.name")
            if "age" in person:
                age = person["age"]
                if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 130:
                    checker.error(person.line_of("age"), f"person.age must be a whole number of years, not '{age}'")
                    age = None

    documents: list[CaseDocumentContent] = []
    seen: set[str] = set()
    for doc, key, line in checker.keyed_items(data, "documents", "document", DOCUMENT_KEYS, {"key", "title"}):
        seen.add(key)
        doc_title = checker.localized(doc, "title", languages, f"the title of document '{key}'")
        audience = doc.get("audience", "students")
        if audience not in AUDIENCES:
            checker.error(doc.line_of("audience"), f"audience of document '{key}' must be students or teachers, not '{audience}'")
        bodies = {}
        for lang in languages:
            md_path = folder / f"{key}.{lang}.md"
            if not md_path.is_file():
                checker.error(line, f"document '{key}' has no file for '{lang}': expected {_display(md_path, display_root)}")
                continue
            try:
                body = md_path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                checker.errors.append(ContentError(_display(md_path, display_root), 1, f"the file is not UTF-8 text ({exc.reason})"))
                continue
            if not body.strip():
                checker.errors.append(ContentError(_display(md_path, display_root), 1, "the document is empty"))
                continue
            bodies[lang] = body.strip() + "\n"
        documents.append(CaseDocumentContent(key=key, title=doc_title, audience=audience, bodies=bodies))

    for md_path in sorted(folder.glob("*.md")):
        parts = md_path.name.split(".")
        if len(parts) != 3 or parts[0] not in seen or parts[1] not in languages:
            checker.errors.append(ContentError(
                _display(md_path, display_root), 1,
                "this file belongs to no document in case.yaml (name it <document>.<language>.md, with a listed document and language)"))

    if checker.errors:
        return None, checker.errors
    assert slug is not None and name is not None  # both are required: a missing one is an error above
    return CaseContent(slug=slug, languages=languages, title=title, summary=summary, person_name=name,
                       person_age=age, documents=documents, path=display), []


def read_rubric(path: Path, display_root: Path) -> tuple[RubricContent | None, list[ContentError]]:
    display = _display(path, display_root)
    checker = _Checker(display)
    data = _read(path, display, checker)
    if data is None:
        return None, checker.errors
    data = checker.mapping(data, 1, "the rubric file")
    if data is None:
        return None, checker.errors
    checker.keys(data, RUBRIC_KEYS, RUBRIC_KEYS, "the rubric")
    slug = checker.slug(data, path.stem, "file name")
    languages = checker.languages(data)
    title = checker.localized(data, "title", languages, "title")
    description = checker.localized(data, "description", languages, "description")

    levels, level_keys = [], []
    for level, key, _line in checker.keyed_items(data, "levels", "level", LEVEL_KEYS, LEVEL_KEYS):
        level_keys.append(key)
        levels.append({"key": key, "title": checker.localized(level, "title", languages, f"level '{key}' title")})

    criteria = []
    for criterion, key, _line in checker.keyed_items(data, "criteria", "criterion", CRITERION_KEYS, CRITERION_KEYS):
        descriptors: dict[str, dict] = {}
        raw = criterion.get("descriptors")
        if "descriptors" in criterion:
            raw = checker.mapping(raw, criterion.line_of("descriptors"), f"descriptors of criterion '{key}'")
        if isinstance(raw, LineDict):
            for level_key in raw:
                if level_key not in level_keys:
                    checker.error(raw.line_of(level_key), f"criterion '{key}' has a descriptor for unknown level '{level_key}'")
            for level_key in level_keys:
                if level_key not in raw:
                    checker.error(raw.line, f"criterion '{key}' has no descriptor for level '{level_key}'")
                    continue
                texts = raw[level_key]
                if not isinstance(texts, LineDict):
                    checker.error(raw.line_of(level_key), f"criterion '{key}' descriptor for level '{level_key}' must give one text per language")
                    continue
                descriptors[level_key] = {}
                for lang in texts:
                    if lang not in languages:
                        checker.error(texts.line_of(lang), f"criterion '{key}' descriptor for level '{level_key}' has a text in '{lang}', which is not in languages")
                for lang in languages:
                    value = texts.get(lang)
                    if lang not in texts:
                        checker.error(texts.line, f"criterion '{key}' has no descriptor for level '{level_key}' in '{lang}'")
                    elif not isinstance(value, str) or not value.strip():
                        checker.error(texts.line_of(lang), f"criterion '{key}' descriptor for level '{level_key}' in '{lang}' is empty")
                    else:
                        descriptors[level_key][lang] = value.strip()
        criteria.append({
            "key": key,
            "title": checker.localized(criterion, "title", languages, f"criterion '{key}' title"),
            "description": checker.localized(criterion, "description", languages, f"criterion '{key}' description"),
            "descriptors": descriptors,
        })

    if checker.errors:
        return None, checker.errors
    assert slug is not None  # required: a missing one is an error above
    return RubricContent(slug=slug, languages=languages, title=title, description=description, levels=levels,
                         criteria=criteria, path=display), []


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
