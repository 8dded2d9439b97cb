"""Parts of pages rendered once and kept, per worker process: the imported case and rubric beside a plan (rendering
a case's documents takes a tenth of a second), and a plan's text as the editor shows it or as it reads (rendered
Markdown, shown again after every save and reload).

A kept part is safe by construction: it is a pure function of its explicit key.
- It is rendered by a macro in an environment of its own, which has no request, session, `g`, current user or CSRF
  token: a template that reaches for one of them fails loudly (`KeptPartError`) instead of keeping one person's
  page for the next. What the part needs, it gets as arguments, and the key names those arguments.
- The key also holds the interface language (its headings and labels) and where the app is mounted (its links).
- Each store is bounded in bytes, not only in entries (`app.memo`): the least recently used parts are let go first,
  and a part too large to be worth keeping is rendered every time instead.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from jinja2 import Environment
from jinja2.defaults import DEFAULT_NAMESPACE
from markupsafe import Markup

from app.memo import MB, SizedStore

# What the kept parts' environment offers besides Jinja's own: links, and the interface language's words (the
# plan's section names among them: `section_title` answers by the key alone, in the language that is in the scope).
ALLOWED_GLOBALS = frozenset({"url_for", "gettext", "ngettext", "pgettext", "npgettext", "_", "section_title"})
# Never there, however a template asks for them: they differ from one person or request to the next.
PERSONAL = ("request", "session", "g", "current_user", "csrf_token", "get_flashed_messages")


class KeptPartError(RuntimeError):
    """A kept part's template reached for something that belongs to one request or person."""


class _Personal:
    """Stands in for `request`, `current_user`, … in a kept part's template: any use of it fails."""

    def __init__(self, name: str):
        self._name = name

    def _refuse(self, *_args, **_kwargs):
        raise KeptPartError(f"A kept part cannot use `{self._name}`: pass what it needs as an argument and key.")

    __getattr__ = __call__ = __iter__ = __bool__ = __str__ = __html__ = __len__ = __getitem__ = _refuse


# Imported content: a case panel is 100–300 KB; a handful of case versions and languages are in use at a time.
# Plans' texts: one per plan and text; a class of 100 students reopening their plans fits in a few MB.
STORES = {"content": SizedStore(16 * MB), "plans": SizedStore(24 * MB)}


def _environment() -> Environment:
    """The app's templates, in an environment without anything personal (one per app, made on first use)."""
    env = current_app.extensions.get("kept_parts_environment")
    if env is None:
        app_env = current_app.jinja_env
        env = app_env.overlay(cache_size=200)
        env.globals = {**DEFAULT_NAMESPACE,
                       **{name: _Personal(name) for name in app_env.globals if name not in ALLOWED_GLOBALS},
                       **{name: value for name, value in app_env.globals.items() if name in ALLOWED_GLOBALS},
                       **{name: _Personal(name) for name in PERSONAL}}
        current_app.extensions["kept_parts_environment"] = env
    return env


def render_macro(template: str, macro: str, *args) -> Markup:
    """A macro rendered in the kept parts' environment, without keeping it (for tests and one-off renders)."""
    return Markup(getattr(_environment().get_template(template).module, macro)(*args))


def kept(store: str, key: tuple[Hashable, ...], template: str, macro: str, arguments: Callable[[], tuple]) -> Markup:
    """The HTML of `macro` in `template`, kept under `key`, which must name everything its arguments hold (an id
    and a version, a fingerprint of a text). The first time, `arguments()` gives the arguments (read only then:
    a case's documents are not read again while its panel is kept) and the macro renders."""
    return STORES[store].get_or_make((template, macro, *key, *_scope()),
                                     lambda: render_macro(template, macro, *arguments()))


def _scope() -> tuple[str, str]:
    """The interface language, and where the app is mounted (links inside a part are relative to it)."""
    return str(get_locale()), (request.script_root if has_request_context() else "")


def fingerprint(content) -> str:
    """A fingerprint of JSON-shaped content (a plan's text): equal for equal content, whatever the key order."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
