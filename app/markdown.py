"""The one sanitiser: every piece of Markdown anyone writes is rendered here, and only here."""
from __future__ import annotations

import re

import bleach
import markdown as md
from markupsafe import Markup, escape

from app.memo import MB, by_text

ALLOWED_TAGS = [
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th",
    "td", "a", "abbr", "sup", "sub", "span",
]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "th": ["align", "scope"],
    "td": ["align"],
    "h2": ["id"], "h3": ["id"], "h4": ["id"],
}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def _link_attributes(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if href.startswith(("http://", "https://")):
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True,
    filters=[],
)


def render_markdown(text: str | None, *, heading_offset: int = 0) -> Markup:
    """Markdown to safe HTML: raw HTML is escaped first, then the output is cleaned with an allow-list."""
    return _render(str(text or ""), heading_offset)


# The same text always gives the same HTML, and pages render the same texts again and again (the case documents
# beside every plan, a plan under review): keep the latest results instead of parsing them on every request.
@by_text(16 * MB)
def _render(source: str, heading_offset: int) -> Markup:
    if _too_costly(source):
        return as_plain_text(source)
    try:
        html = md.markdown(source, extensions=["tables", "sane_lists", "nl2br"], output_format="html")
    except RecursionError:  # nesting that the checks above did not foresee: the text is still shown, as written
        return as_plain_text(source)
    cleaned = _cleaner.clean(html)
    cleaned = bleach.linkify(cleaned, callbacks=[_link_attributes], skip_tags=["pre", "code"], parse_email=False)
    if heading_offset:
        for level in range(6 - heading_offset, 0, -1):
            cleaned = cleaned.replace(f"<h{level}", f"<h{level + heading_offset}").replace(
                f"</h{level}>", f"</h{level + heading_offset}>")
    return Markup(cleaned)


def as_plain_text(source: str) -> Markup:
    """The text as written, escaped, its lines kept: for Markdown that cannot be rendered within bounds."""
    return Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in source.splitlines()))


def _too_costly(source: str) -> bool:
    """Whether Python-Markdown would take seconds (or exhaust the stack) on this text. Its work grows faster than the
    text for a few shapes nobody writes by hand: such a text is shown as written, escaped, instead."""
    return source.count("\n") >= MAX_LINES or _nested_too_deeply(source) or _link_scan_cost(source) > LINK_SCAN_BUDGET


# Block by block, each remaining block is searched again: thousands of one-character lines ("-", "=", "# h") cost
# time quadratic in their number (10,000 lines of "-" took over ten seconds). A plan's section (20,000 characters)
# written by hand has a few hundred lines at most; a case document under a hundred.
MAX_LINES = 1_000

# Python-Markdown renders nested lists and quotes by recursion, one level per marker: "- - - … x" on one line nests as
# deep as it has markers (9,000 of them exhaust the interpreter's stack after seconds). Nobody writes more than a
# handful of levels; a line that opens more than this many is shown as plain text.
MAX_NESTING = 32
_DEEP_MARKERS = re.compile(rf"^[ \t]*(?:(?:>|(?:[-*+]|\d{{1,9}}[.)])[ \t])[ \t]*){{{MAX_NESTING + 1},}}", re.MULTILINE)


def _nested_too_deeply(source: str) -> bool:
    return (source.count(">") + source.count("- ") + source.count("* ") + source.count(". ") + source.count("+ ")
            > MAX_NESTING) and _DEEP_MARKERS.search(source) is not None


# Python-Markdown looks for the end of a link from every "[" (and for the end of its address from every "]("), to the
# end of the paragraph when there is none: brackets that do not close soon cost time quadratic in the paragraph's
# length (20,000 "[" took minutes). The work is estimated in one pass over the brackets; past this many characters
# scanned (about a tenth of a second), the text is shown as written.
LINK_SCAN_BUDGET = 100_000
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_BRACKETS = re.compile(r"[][()]")


def _link_scan_cost(source: str) -> int:
    """About how many characters Python-Markdown scans to find the ends of the links that may start in `source`."""
    if source.count("[") < 8:  # a few links or stray brackets scan a few paragraphs at most
        return 0
    return sum(_block_link_scan_cost(block) for block in _PARAGRAPHS.split(source) if "[" in block)


def _block_link_scan_cost(block: str) -> int:
    end = len(block)
    cost = 0
    brackets: list[int] = []
    parens: list[tuple[int, bool]] = []  # where "(" opens, and whether it opens a link's address ("](")
    for found in _BRACKETS.finditer(block):
        at, char = found.start(), found.group()
        if char == "[":
            brackets.append(at)
        elif char == "]":
            if brackets:
                cost += at - brackets.pop()
        elif char == "(":
            parens.append((at, at > 0 and block[at - 1] == "]"))
        elif parens:
            opened, address = parens.pop()
            if address:
                cost += at - opened
    return cost + sum(end - at for at in brackets) + sum(end - at for at, address in parens if address)
