"""Parts of pages rendered once and kept, per worker process. Each part is a pure function of what its key names
(plus the interface language, which its headings and labels speak), so a kept part is never stale: a new import
makes a case version with a new fingerprint, and a plan's text that changes has a new content fingerprint.

- imported content (the case and rubric beside a plan, the case beside a review): few, kept long;
- a plan's text as the editor shows it, or as it reads: one per plan and text, the least recently used let go;
- the fixed parts of pages (menus, the editor's panels and messages), which depend on a few flags at most.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import g, get_template_attribute, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup, escape

# How many parts each store keeps (a plan's editor is ≈100 KB; 200 of them ≈20 MB per worker at most).
STORES = {"content": 128, "plans": 200, "parts": 1024}
_stores: dict[str, OrderedDict[tuple, Markup]] = {name: OrderedDict() for name in STORES}


def fragment(key: tuple[Hashable, ...], render: Callable[[], str], store: str = "content") -> Markup:
    """The kept HTML for `key` in the interface language, rendered by `render` the first time."""
    kept = _stores[store]
    key = (*key, *_scope())
    html = kept.get(key)
    if html is not None:
        kept.move_to_end(key)
        return html
    html = Markup(render())
    kept[key] = html
    while len(kept) > STORES[store]:
        kept.popitem(last=False)
    return html


def _scope() -> tuple[str, str]:
    """The interface language, and where the app is mounted (links inside a part are relative to it): worked out
    once per request, and again when the language is switched for a moment (Flask-Babel's force_locale)."""
    if not has_request_context():
        return str(get_locale()), ""
    request_g = g._get_current_object()
    locale = getattr(getattr(request_g, "_flask_babel", None), "babel_locale", None) or get_locale()
    known = getattr(request_g, "fragment_scope", None)
    if known is None or known[0] is not locale:
        known = request_g.fragment_scope = (locale, (str(locale), request.script_root))
    return known[1]


def fingerprint(content) -> str:
    """A fingerprint of JSON-shaped content (a plan's text): equal for equal content, whatever the key order."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()



def kept_part(template: str, macro: str, *args: Hashable) -> Markup:
    """A macro whose HTML depends only on its (few, hashable) arguments and the interface language: rendered once
    for each combination and kept. Templates call it as `kept_part("a.html", "macro", flag, …)`."""
    return fragment((template, macro, *args), lambda: get_template_attribute(template, macro)(*args), store="parts")


SLOT = "\ue000{}\ue000"  # a private-use character: never in text, and left alone by HTML escaping


def slot(name: str) -> Markup:
    """A place in a kept part for a value that changes with every request (a CSRF token, the page to come back to)."""
    return Markup(SLOT.format(name))


def fill(html: Markup, **values) -> Markup:
    """A kept part with its slots filled in, each value escaped."""
    for name, value in values.items():
        html = Markup(html.replace(SLOT.format(name), escape(value)))
    return html
