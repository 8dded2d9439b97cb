"""The one sanitiser: every piece of Markdown anyone writes is rendered here, and only here."""
from __future__ import annotations

import bleach
import markdown as md
from markupsafe import Markup

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
    html = md.markdown(source, extensions=["tables", "sane_lists", "nl2br"], output_format="html")
    cleaned = _cleaner.clean(html)
    cleaned = bleach.linkify(cleaned, callbacks=[_link_attributes], skip_tags=["pre", "code"], parse_email=False)
    if heading_offset:
        for level in range(6 - heading_offset, 0, -1):
            cleaned = cleaned.replace(f"<h{level}", f"<h{level + heading_offset}").replace(
                f"</h{level}>", f"</h{level + heading_offset}>")
    return Markup(cleaned)
