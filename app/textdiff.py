"""Readable word-level differences between two texts, marked for eyes and for screen readers."""
from __future__ import annotations

import difflib
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> tuple[Markup, bool]:
    """HTML with <del> and <ins> around changed words, and whether anything changed."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[str] = []
    changed = False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        changed = True
        if op in ("delete", "replace"):
            out.append(f'<del><span class="visually-hidden">{escape(_("removed:"))} </span>'
                       f'{escape("".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins><span class="visually-hidden">{escape(_("added:"))} </span>'
                       f'{escape("".join(b[j1:j2]))}</ins>')
    return Markup("".join(out)), changed
