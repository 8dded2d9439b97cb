"""Macros that many pages call, offered to every template by name instead of imported by each page.

`{% from "x.html" import m %}` costs every render of the importing page a comparison of its globals with those of
`x.html` (some seventy names, about 0.07 ms each time; a plan or review page imports two or three). A shared macro
is the very macro such an import gives, taken from the template's module as Jinja keeps it (the macro template
rendered once, without the page's context, exactly as an import without context is), so calling it does the same.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask.sansio.app import App


def shared_macro(template: str, name: str) -> Callable:
    """A callable for templates that calls macro `name` of `template`. The template is looked up at each call
    (Jinja's cache answers), so that a template changed in development is read again as with an import."""

    def call(*args, **kwargs):
        return getattr(current_app.jinja_env.get_template(template).module, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.template = template  # type: ignore[attr-defined]
    return call


def register_shared_macros(app: App, template: str, *names: str) -> None:
    for name in names:
        if name in app.jinja_env.globals:
            raise ValueError(f"{name!r} is a template global already")
        app.jinja_env.globals[name] = shared_macro(template, name)
