"""Reading and comparing case versions: documents ready to show, and word-level differences.

Nothing here writes to the database; imports live in app.content."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from app.cases.models import STUDENTS, CaseVersion
from app.markdown import render_markdown
from app.memo import MB, by_text
from app.textdiff import FieldChange, Segment
from app.textdiff import segments as word_diff

# The page has one h1 (the case), each document an h2 (its title); headings inside a document start at h3.
DOCUMENT_HEADING_LEVEL = 2
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_HTML_HEADING = re.compile(r"<h([1-6])[\s>]")


# --- reading -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadingDocument:
    key: str
    title: str
    html: Markup
    for_teachers: bool

    @property
    def anchor(self) -> str:
        return f"doc-{self.key}"


def reading_documents(version: CaseVersion, lang: str, *, teachers: bool) -> list[ReadingDocument]:
    """The documents of a version in one language; teacher-only documents only when `teachers`."""
    return [
        ReadingDocument(key=doc.key, title=doc.title_in(lang), html=document_html(doc.body_in(lang), doc.title_in(lang)),
                        for_teachers=doc.for_teachers)
        for doc in version.documents_for(teachers=teachers)
    ]


@by_text(16 * MB)
def document_html(body: str, title: str) -> Markup:
    """A document's Markdown as HTML below its h2 title. Versions never change, so the result is cached by text."""
    source = _without_leading_title(body, title)
    html = render_markdown(source)
    levels = [int(level) for level in _HTML_HEADING.findall(html)]
    if levels and min(levels) <= DOCUMENT_HEADING_LEVEL:
        html = render_markdown(source, heading_offset=DOCUMENT_HEADING_LEVEL + 1 - min(levels))
    return html


def _normalised(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("*", "").replace("_", " ").split()).casefold()


def _without_leading_title(body: str, title: str) -> str:
    """Authors start a document with its title as a heading (docs/content.md); the page shows the title already."""
    lines = (body or "").lstrip("\n").split("\n")
    match = _ATX_HEADING.match(lines[0]) if lines else None
    if match and _normalised(match.group(2)) == _normalised(title):
        return "\n".join(lines[1:]).lstrip("\n")
    return body or ""


# --- differences ---------------------------------------------------------------------------------------

@dataclass
class DocumentChange:
    key: str
    status: str  # "added" | "removed" | "changed" | "unchanged"
    title: str
    title_segments: list[Segment] = field(default_factory=list)
    body_segments: list[Segment] = field(default_factory=list)
    old_audience: str | None = None
    new_audience: str | None = None

    @property
    def anchor(self) -> str:
        return f"doc-{self.key}"

    @property
    def audience_changed(self) -> bool:
        return self.status == "changed" and self.old_audience != self.new_audience

    @property
    def for_teachers(self) -> bool:
        return (self.new_audience or self.old_audience) != STUDENTS


@dataclass
class CaseDiff:
    old: CaseVersion
    new: CaseVersion
    lang: str
    details: list[FieldChange]
    documents: list[DocumentChange]

    @property
    def changed_documents(self) -> list[DocumentChange]:
        return [d for d in self.documents if d.status != "unchanged"]

    @property
    def has_changes(self) -> bool:
        return bool(self.details or self.changed_documents)

    def count(self, status: str) -> int:
        return sum(1 for d in self.documents if d.status == status)


def diff_case_versions(old: CaseVersion, new: CaseVersion, lang: str, *, teachers: bool = True) -> CaseDiff:
    """What changed between two versions of a case, in one language, document by document; documents that were
    for teachers in either version only when `teachers`."""
    details = []
    for name, old_text, new_text in (
        ("title", old.title_in(lang), new.title_in(lang)),
        ("summary", old.summary_in(lang), new.summary_in(lang)),
        ("person_name", old.person_name, new.person_name),
        ("person_age", _text(old.person_age), _text(new.person_age)),
        ("languages", ", ".join(old.languages), ", ".join(new.languages)),
    ):
        if old_text != new_text:
            details.append(FieldChange(name, word_diff(old_text, new_text, context=40)))

    hidden = set() if teachers else {d.key for d in old.documents + new.documents if d.for_teachers}
    old_docs = {d.key: d for d in old.documents if d.key not in hidden}
    new_docs = {d.key: d for d in new.documents if d.key not in hidden}
    keys = [k for k in new_docs] + [k for k in old_docs if k not in new_docs]
    documents = []
    for key in keys:
        before, after = old_docs.get(key), new_docs.get(key)
        if before is None:
            assert after is not None  # every key comes from one of the two versions
            documents.append(DocumentChange(key, "added", after.title_in(lang), body_segments=word_diff("", after.body_in(lang)),
                                            new_audience=after.audience))
            continue
        if after is None:
            documents.append(DocumentChange(key, "removed", before.title_in(lang),
                                            body_segments=word_diff(before.body_in(lang), ""), old_audience=before.audience))
            continue
        title_changed = before.title_in(lang) != after.title_in(lang)
        body_changed = before.body_in(lang) != after.body_in(lang)
        changed = title_changed or body_changed or before.audience != after.audience
        documents.append(DocumentChange(
            key, "changed" if changed else "unchanged", after.title_in(lang),
            title_segments=word_diff(before.title_in(lang), after.title_in(lang), context=40) if title_changed else [],
            body_segments=word_diff(before.body_in(lang), after.body_in(lang)) if changed else [],
            old_audience=before.audience, new_audience=after.audience))
    return CaseDiff(old, new, lang, details, documents)


def _text(value) -> str:
    return "" if value is None else str(value)
