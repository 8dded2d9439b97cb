"""A plan's words as the structured exports carry them: never HTML, and only characters FHIR's text types accept.

A plan's sections are Markdown source; they go where FHIR has a `markdown` type (a note's text), as written. Its
goals and measures are one-line plain text; they go into `string` fields. Neither may carry HTML into a file that
other systems read: tags and comments a student typed are dropped, and a "<" that could still open one is kept
apart from what follows. FHIR's `string` and `markdown` allow no whitespace but spaces, tabs and line breaks, and no
empty value: other spaces become plain ones, and an empty text is left out by the callers."""
from __future__ import annotations

import re

HTML_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
HTML_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")
ODD_SPACE = re.compile(r"[^\S \t\r\n]")  # whitespace that is not a space, tab or line break (no-break spaces, …)
BLANK_LINES = re.compile(r"\n{3,}")


def without_html(text: str) -> str:
    text = HTML_COMMENT.sub("", text)
    text = HTML_TAG.sub("", text)
    return TAG_OPENING.sub("< ", text)


def markdown_text(text: str | None) -> str:
    """A section's Markdown source for a FHIR `markdown` field: as written, without HTML ("" when empty)."""
    cleaned = ODD_SPACE.sub(" ", without_html(text or "")).replace("\r\n", "\n")
    return BLANK_LINES.sub("\n\n", cleaned).strip()


def plain_text(text: str | None) -> str:
    """A one-line field for a FHIR `string`: without HTML, its spaces plain and single ("" when empty)."""
    return " ".join(without_html(text or "").split())
