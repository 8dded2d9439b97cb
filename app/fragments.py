"""Parts of pages made only from imported content, which never changes once imported (a new import makes a new
version with a new fingerprint). Each is rendered once per worker process and kept, keyed by the content's
fingerprints and the languages it is shown in; every page that shows a case beside a plan reuses it."""
from __future__ import annotations

from collections.abc import Callable, Hashable

from flask_babel import get_locale
from markupsafe import Markup

KEPT = 128
_fragments: dict[tuple, Markup] = {}


def fragment(key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The kept HTML for `key` (plus the interface language, which its headings and labels speak)."""
    key = (*key, str(get_locale()))
    html = _fragments.get(key)
    if html is None:
        html = Markup(render())
        while len(_fragments) >= KEPT:
            _fragments.pop(next(iter(_fragments)), None)
        _fragments[key] = html
    return html
