"""Anchors: a comment tied to an exact passage of the plan, found again in later versions when the text allows."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.plans.content import GOAL_FIELDS, MEASURE_FIELDS, SECTIONS

CONTEXT = 32
# The fields of a measure that are text to comment on (which goal it serves is a choice, not a passage).
MEASURE_TEXTS = tuple(field for field in MEASURE_FIELDS if field != "goal_id")


def anchor_texts(content: dict) -> dict[str, str]:
    """Every passage a comment can be anchored to, by a stable key, in the order the plan reads: a text section's
    key ("what_matters"), or a goal's or a measure's field by the row's id, which stays the same from one version
    to the next ("goals.g1.timeframe", "measures.m2.service")."""
    texts: dict[str, str] = {}
    for section in SECTIONS:
        if section.kind == "goals":
            for goal in content.get("goals", []):
                for field in GOAL_FIELDS:
                    texts[f"goals.{goal['id']}.{field}"] = goal.get(field) or ""
        elif section.kind == "measures":
            for measure in content.get("measures", []):
                for field in MEASURE_TEXTS:
                    texts[f"measures.{measure['id']}.{field}"] = measure.get(field) or ""
        else:
            texts[section.key] = content["sections"].get(section.key) or ""
    return texts


def _row_label(kind: str, field: str, n: int) -> str:
    if kind == "goals":
        return _("Goal %(n)d, time frame", n=n) if field == "timeframe" else _("Goal %(n)d", n=n)
    if field == "service":
        return _("Measure %(n)d, service", n=n)
    if field == "role":
        return _("Measure %(n)d, role", n=n)
    if field == "due":
        return _("Measure %(n)d, by when", n=n)
    return _("Measure %(n)d", n=n)


def anchor_labels(content: dict) -> dict[str, str]:
    """What each passage is called on the page ("My network", "Goal 2, time frame"), by the keys of
    `anchor_texts`, in the same order. Goals and measures are numbered as they stand in this version."""
    labels: dict[str, str] = {}
    for section in SECTIONS:
        if section.kind in ("goals", "measures"):
            fields = GOAL_FIELDS if section.kind == "goals" else MEASURE_TEXTS
            for n, row in enumerate(content.get(section.kind, []), start=1):
                for field in fields:
                    labels[f"{section.kind}.{row['id']}.{field}"] = _row_label(section.kind, field, n)
        else:
            labels[section.key] = str(section.title)
    return labels


def anchor_choices(content: dict) -> list[tuple[str, str]]:
    """The passages a comment can be put on (those with some text), as (key, label), in reading order."""
    labels = anchor_labels(content)
    return [(key, labels[key]) for key, text in anchor_texts(content).items() if text.strip()]


@dataclass(frozen=True)
class Anchor:
    key: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


class AnchorProblem(ValueError):
    pass


def make_anchor(texts: dict[str, str], key: str, quote: str, start: int | None = None) -> Anchor:
    """Check a selection against the text. With no (or a wrong) position, the quote is looked up in the passage."""
    if key not in texts:
        raise AnchorProblem("unknown passage")
    quote = (quote or "").strip()
    if not quote:
        raise AnchorProblem("empty selection")
    text = texts[key]
    if start is None or text[start:start + len(quote)] != quote:
        found = text.find(quote)
        if found < 0:
            raise AnchorProblem("the quoted text is not in that part of the plan")
        start = found
    end = start + len(quote)
    return Anchor(key, start, end, quote, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def locate(key: str, quote: str, start: int, prefix: str, suffix: str, texts: dict[str, str]) -> tuple[int, int] | None:
    """Where the passage is in (possibly changed) texts: the same place if unchanged, else the best match, else None."""
    text = texts.get(key)
    if text is None or not quote:
        return None
    if text[start:start + len(quote)] == quote:
        return start, start + len(quote)
    best, best_score = None, None
    position = text.find(quote)
    while position >= 0:
        score = 0
        if prefix and text[max(0, position - len(prefix)):position] == prefix:
            score += 2
        if suffix and text[position + len(quote):position + len(quote) + len(suffix)] == suffix:
            score += 2
        distance = abs(position - start)
        key_ = (score, -distance)
        if best_score is None or key_ > best_score:
            best, best_score = position, key_
        position = text.find(quote, position + 1)
    return (best, best + len(quote)) if best is not None else None


def highlight(text: str, spans: list[tuple[int, int, int]], label: str = "") -> Markup:
    """The text with <mark> around commented passages. spans: (start, end, comment number)."""
    if not spans:
        return Markup(escape(text))
    points = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out = []
    for a, b in zip(points, points[1:]):
        piece = escape(text[a:b])
        covering = [n for s, e, n in spans if s <= a and b <= e]
        if covering:
            numbers = " ".join(str(n) for n in covering)
            out.append(f'<mark class="anchor" data-comments="{numbers}">{piece}'
                       f'<sup class="anchor-ref" aria-hidden="true">{numbers}</sup></mark>'
                       if b == max(e for s, e, n in spans if n == covering[-1]) else
                       f'<mark class="anchor" data-comments="{numbers}">{piece}</mark>')
        else:
            out.append(str(piece))
    return Markup("".join(out))


def number_comments(content: dict, comments) -> tuple[list, tuple]:
    """The comments numbered in reading order, each with where it sits in the plan's text (None when its passage
    is gone), and the highlights that follow from them: (passage key, start, end, number), in order."""
    texts = anchor_texts(content)
    placed = [(comment, locate(comment.anchor_key, comment.quote, comment.start, comment.prefix, comment.suffix,
                               texts)) for comment in comments]
    order = list(texts)
    placed.sort(key=lambda item: (order.index(item[0].anchor_key) if item[0].anchor_key in order else 999,
                                  item[1][0] if item[1] else 10**9))
    numbered = [(number, comment, where) for number, (comment, where) in enumerate(placed, start=1)]
    spans = tuple((comment.anchor_key, where[0], where[1], number) for number, comment, where in numbered if where)
    return numbered, spans
