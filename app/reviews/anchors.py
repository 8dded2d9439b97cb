"""Anchors: a comment tied to an exact passage of the plan, found again in later versions when the text allows."""
from __future__ import annotations

import html
import re
import sys
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from types import MappingProxyType

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.markdown import render_markdown
from app.memo import MB, SizedStore, by_text
from app.plans.content import GOAL_FIELDS, MEASURE_FIELDS, SECTIONS, TEXT_SECTIONS

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


def _row_label_formats() -> dict[tuple[str, str | None], str]:
    """What a goal's or a measure's passage is called, with `%(n)d` for its number, by (kind, field): looked up in
    the catalogue once per page, not once for each field of each row."""
    return {("goals", "timeframe"): _("Goal %(n)d, time frame"), ("goals", None): _("Goal %(n)d"),
            ("measures", "service"): _("Measure %(n)d, service"), ("measures", "role"): _("Measure %(n)d, role"),
            ("measures", "due"): _("Measure %(n)d, by when"), ("measures", None): _("Measure %(n)d")}


def anchor_labels(content: dict) -> dict[str, str]:
    """What each passage is called on the page ("My network", "Goal 2, time frame"), by the keys of
    `anchor_texts`, in the same order. Goals and measures are numbered as they stand in this version."""
    formats = _row_label_formats()
    labels: dict[str, str] = {}
    for section in SECTIONS:
        if section.kind in ("goals", "measures"):
            fields = GOAL_FIELDS if section.kind == "goals" else MEASURE_TEXTS
            for n, row in enumerate(content.get(section.kind, []), start=1):
                for field in fields:
                    label = formats.get((section.kind, field)) or formats[(section.kind, None)]
                    labels[f"{section.kind}.{row['id']}.{field}"] = label % {"n": n}
        else:
            labels[section.key] = str(section.title)
    return labels


# The labels of the plans' passages, per text and interface language: a class's plans under review fit in a few MB.
_KEPT_LABELS = SizedStore(4 * MB)


def kept_anchor_labels(content: dict, content_print: str) -> Mapping[str, str]:
    """`anchor_labels(content)`, kept by the text's fingerprint (`app.fragments.fingerprint`) and the interface
    language, read-only: the review page shows them with every comment, in its list of passages and in its
    highlighted plan, each time the reviewer opens it."""
    return _KEPT_LABELS.get_or_make((content_print, str(get_locale())),
                                    lambda: MappingProxyType(anchor_labels(content)))


def anchor_choices(content: dict, labels: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The passages a comment can be put on (those with some text), as (key, label), in reading order; `labels`,
    when the page has them already, are those of `anchor_labels(content)`."""
    labels = anchor_labels(content) if labels is None else labels
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
    """Check a selection against the text. With no (or a wrong) position, the quote is looked up in the passage.
    In a text section, the quote and its position are in the rendered words a reviewer reads (or, pasted, in its
    Markdown); the anchor itself is kept in the Markdown."""
    if key not in texts:
        raise AnchorProblem("unknown passage")
    quote = (quote or "").strip()
    if not quote:
        raise AnchorProblem("empty selection")
    text = texts[key]
    if is_markdown(key):
        span = _from_rendered(shown(text), quote, start)
        if span is not None:
            begin, end = span
            return Anchor(key, begin, end, text[begin:end], text[max(0, begin - CONTEXT):begin], text[end:end + CONTEXT])
    if start is None or text[start:start + len(quote)] != quote:
        found = text.find(quote)
        if found < 0:
            raise AnchorProblem("the quoted text is not in that part of the plan")
        start = found
    end = start + len(quote)
    return Anchor(key, start, end, quote, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def _from_rendered(seen: Shown, quote: str, start: int | None) -> tuple[int, int] | None:
    """The Markdown behind words selected (or typed) as they read: at `start` in the visible text when they are
    there, else where they first read so. None when they do not read so (they may be Markdown, pasted)."""
    if start is None or seen.text[start:start + len(quote)] != quote:
        start = seen.text.find(quote)
        if start < 0:  # the same words, with other white space between them (across list items, say)
            found = re.search(r"\s+".join(re.escape(word) for word in quote.split()), seen.text)
            if found is None:
                return None
            return seen.source_span(*found.span())
    return seen.source_span(start, start + len(quote))


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


# --- the plan as people read it: text sections are Markdown, rendered by the one sanitiser -------------------------
# Comments keep their place in the Markdown a student wrote (it is what later versions are compared with), while a
# reviewer selects, and a student reads, the rendered words. `Shown` ties the two together: the visible text is every
# text node of the rendered passage in document order, exactly what review.js counts in the browser, and each visible
# character knows where it comes from in the Markdown.

HEADING_OFFSET = 3  # a passage sits under its section's h3 title
# Characters Markdown uses as markup around words; a space the reader sees may stand behind a few of them.
_MARKUP = frozenset("*_~`#>|+-=[]().!\\")
# Parts of the Markdown that never become visible text of their own: where a link or an image goes (an image is
# dropped by the sanitiser with its description), HTML tags (stripped or kept, never text) and comments.
_HIDDEN = re.compile(
    r"!\[[^\]\n]*\]\([^)\n]*\)"
    r"|\]\([^)\n]*\)"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|<!--.*?-->",
    re.S)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
# Elements whose own text nodes are only the line breaks between their items: a highlight is not put there.
_CONTAINERS = frozenset({"", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "blockquote", "div"})
_VOID = frozenset({"br", "hr", "img", "wbr"})


def is_markdown(key: str) -> bool:
    """Text sections are Markdown; the fields of goals and measures are plain text."""
    return key in TEXT_SECTIONS


@dataclass(frozen=True)
class Shown:
    html: str  # the rendered, sanitised passage, without highlights
    text: str  # what a reader sees: all its text nodes, in order
    origin: tuple[int, ...]  # for each visible character, where it starts in the Markdown (-1: the rendering added it)
    until: tuple[int, ...]  # and where it ends there ("&amp;" is one character)

    def source_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where visible text[start:end] comes from in the Markdown."""
        found = [i for i in range(start, min(end, len(self.text))) if self.origin[i] >= 0]
        return (self.origin[found[0]], self.until[found[-1]]) if found else None

    def visible_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where Markdown [start:end] is seen, without white space at either end."""
        first, last = bisect_left(self.words_from, start), bisect_left(self.words_from, end) - 1
        return (self.words_at[first], self.words_at[last] + 1) if first <= last else None

    def __sizeof__(self) -> int:
        """What it takes in memory, near enough, for the bounded store that keeps it: its texts and positions."""
        return sys.getsizeof(self.html) + sys.getsizeof(self.text) + 4 * 36 * len(self.origin)

    @cached_property
    def words_at(self) -> tuple[int, ...]:
        """The visible characters that are not white space and come from the Markdown, in order..."""
        return tuple(i for i, at in enumerate(self.origin) if at >= 0 and not self.text[i].isspace())

    @cached_property
    def words_from(self) -> tuple[int, ...]:
        """...and where each starts in the Markdown (in the same order: the text is matched front to back)."""
        return tuple(self.origin[i] for i in self.words_at)


class _TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(markup: str) -> str:
    """Every text node of some HTML, in order, as a browser's DOM has them."""
    parser = _TextNodes()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _readable(source: str) -> tuple[str, list[int], list[int]]:
    """The Markdown without what never shows, entities as the characters they stand for (outside code, where they
    show as typed); with where each character starts and ends in the Markdown."""
    code = bytearray(len(source))
    for match in _CODE.finditer(source):
        code[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    skip: dict[int, tuple[int, str]] = {}
    for match in _HIDDEN.finditer(source):
        if not code[match.start()]:
            skip[match.start()] = (match.end(), "")
    for match in _ENTITY.finditer(source):
        if not code[match.start()] and match.start() not in skip:
            skip[match.start()] = (match.end(), html.unescape(match.group()))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(source):
        end, stands_for = skip.get(i, (i + 1, source[i]))
        if end <= i:
            end = i + 1
        for char in stands_for:
            chars.append(char)
            starts.append(i)
            ends.append(end)
        i = end
    return "".join(chars), starts, ends


def _align(visible: str, source: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Each visible character matched, in order, with the next same character of the readable Markdown; a space
    with the next space, past a little markup (the "**" that closes a bold word). What the rendering adds (line
    breaks between blocks) comes from nowhere and moves nothing. Gives where each visible character starts and ends
    in the Markdown (-1: from nowhere)."""
    readable, starts, ends = _readable(source)
    origin, until = [-1] * len(visible), [-1] * len(visible)
    j, n = 0, len(readable)
    for i, char in enumerate(visible):
        if char.isspace():
            k = j
            while k < n and k - j < 8 and not readable[k].isspace() and readable[k] in _MARKUP:
                k += 1
            if k < n and readable[k].isspace():
                origin[i], until[i], j = starts[k], ends[k], k + 1
            continue
        k = readable.find(char, j)
        if k >= 0:
            origin[i], until[i], j = starts[k], ends[k], k + 1
    return tuple(origin), tuple(until)


@by_text(16 * MB)
def shown(source: str) -> Shown:
    """A Markdown passage as it is rendered and read, with the way back to its source."""
    rendered = str(render_markdown(source, heading_offset=HEADING_OFFSET))
    text = visible_text(rendered)
    return Shown(rendered, text, *_align(text, source))


def shown_words(comment) -> str:
    """The words a comment is on, as people read them: for a text section, its quoted Markdown rendered in the
    context kept with it ("**very** important" reads "very important"), white space as single spaces."""
    quote = getattr(comment, "quote", comment) or ""
    if getattr(comment, "anchor_key", None) is not None and not is_markdown(comment.anchor_key):
        return quote
    prefix, suffix = getattr(comment, "prefix", "") or "", getattr(comment, "suffix", "") or ""
    seen = shown(prefix + quote + suffix)
    span = seen.visible_span(len(prefix), len(prefix) + len(quote))
    words = seen.text[span[0]:span[1]] if span else quote
    return " ".join(words.split())


class _Highlighter(HTMLParser):
    """The rendered passage again, with <mark> around the visible characters of each span (start, end, number)."""

    def __init__(self, spans: list[tuple[int, int, int]]) -> None:
        super().__init__(convert_charrefs=True)
        self.spans = spans
        self.points = sorted({p for s, e, _n in spans for p in (s, e)})
        self.out: list[str] = []
        self.open: list[str] = []
        self.at = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag) -> None:
        self.out.append(f"</{tag}>")
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        start, end = self.at, self.at + len(data)
        self.at = end
        cuts = [start, *(p for p in self.points if start < p < end), end]
        parent = self.open[-1] if self.open else ""
        for a, b in zip(cuts, cuts[1:]):
            piece = data[a - start:b - start]
            covering = [n for s, e, n in self.spans if s <= a and b <= e]
            if not covering or (not piece.strip() and parent in _CONTAINERS):
                self.out.append(str(escape(piece)))
                continue
            numbers = " ".join(str(n) for n in covering)
            last = max(e for s, e, n in self.spans if n == covering[-1])
            ref = f'<sup class="anchor-ref" aria-hidden="true">{numbers}</sup>' if b == last else ""
            self.out.append(f'<mark class="anchor" data-comments="{numbers}">{escape(piece)}{ref}</mark>')


def highlight_markdown(source: str, spans: list[tuple[int, int, int]]) -> Markup:
    """A Markdown passage rendered, with <mark> around the commented words. spans: (start, end, comment number) in
    the Markdown; the marks land on the same words in the rendered text."""
    seen = shown(source)
    visible = []
    for start, end, number in spans:
        where = seen.visible_span(start, end)
        if where:
            visible.append((where[0], where[1], number))
    if not visible:
        return Markup(seen.html)
    highlighter = _Highlighter(visible)
    highlighter.feed(seen.html)
    highlighter.close()
    return Markup("".join(highlighter.out))
