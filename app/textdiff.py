"""Readable word-level differences between two texts, marked for eyes and for screen readers.

`segments()` is the one comparison (case and rubric versions use it with shortened unchanged stretches);
`word_diff()` renders it as HTML with <del>/<ins> for plan versions."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Segment:
    """A run of words: kept ("same"), "added", "removed", or unchanged words left out ("skipped", with a count)."""

    kind: str
    text: str = ""
    words: int = 0


_TOKEN = re.compile(r"\S+\s*")


def segments(old: str | None, new: str | None, *, context: int | None = 12) -> list[Segment]:
    """Differences word by word; long unchanged stretches shrink to `context` words either side."""
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, [t.rstrip() for t in old_tokens], [t.rstrip() for t in new_tokens],
                                      autojunk=False)
    result: list[Segment] = []
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            if context is None:
                result.append(Segment("same", "".join(new_tokens[j1:j2])))
            else:
                result += _shrink(new_tokens[j1:j2], context, first=index == 0, last=index == len(opcodes) - 1)
            continue
        if op in ("delete", "replace"):
            result.append(Segment("removed", "".join(old_tokens[i1:i2])))
        if op in ("insert", "replace"):
            added = "".join(new_tokens[j1:j2])
            result.append(Segment("added", added.rstrip()))
            if added != added.rstrip():  # the space after the new words is not part of them
                result.append(Segment("same", added[len(added.rstrip()):]))
    return result


def _shrink(tokens: list[str], context: int, *, first: bool, last: bool) -> list[Segment]:
    keep_before = 0 if first else context
    keep_after = 0 if last else context
    if len(tokens) <= keep_before + keep_after + context:
        return [Segment("same", "".join(tokens))]
    result = []
    if keep_before:
        result.append(Segment("same", "".join(tokens[:keep_before])))
    skipped = len(tokens) - keep_before - keep_after
    result.append(Segment("skipped", words=skipped))
    if keep_after:
        result.append(Segment("same", "".join(tokens[-keep_after:])))
    return result


def has_changes(segments: list[Segment]) -> bool:
    return any(s.kind in ("added", "removed") for s in segments)


def word_diff(old: str, new: str) -> tuple[Markup, bool]:
    """HTML with <del> and <ins> around changed words (nothing left out), and whether anything changed."""
    out: list[str] = []
    parts = segments(old, new, context=None)
    for part in parts:
        if part.kind == "removed":
            out.append(f'<del><span class="visually-hidden">{escape(_("removed:"))} </span>{escape(part.text)}</del>')
        elif part.kind == "added":
            out.append(f'<ins><span class="visually-hidden">{escape(_("added:"))} </span>{escape(part.text)}</ins>')
        else:
            out.append(str(escape(part.text)))
    return Markup("".join(out)), has_changes(parts)


@dataclass
class FieldChange:
    """A named part of a document (a title, a description, a level's descriptor) and how its words changed."""

    name: str
    segments: list[Segment]
