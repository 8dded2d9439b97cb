"""Reading versioned content that comes in several languages (cases and rubrics): which language a page shows, the
links to the same page in the others, which two versions a comparison shows, and the library's listing of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from app.db import db
from app.i18n import current_locale


def reading_language(version, wanted: str | None = None) -> str:
    """The asked-for language if the content has it, else the interface language, else the content's first."""
    for code in (wanted, current_locale()):
        if code is not None and code in version.languages:
            return code
    return version.languages[0]


def language_links(version, lang: str, endpoint: str, **values) -> list[dict]:
    """Links that show the same page in each of the content's languages (none when there is only one)."""
    if len(version.languages) < 2:
        return []
    names = current_app.config["LANGUAGES"]
    return [{"code": code, "name": names.get(code, code), "current": code == lang,
             "url": url_for(endpoint, **values, lang=code)} for code in version.languages]


def version_pair(versions: list, what: str):
    """The two versions named by ?from= and ?to= (defaults: the latest and the one before it). 400 if unusable."""
    by_number = {v.number: v for v in versions}
    latest = versions[-1].number

    def number(name: str, default: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not (raw.isascii() and raw.isdigit()):
            abort(400, _("“%(value)s” is not a version number. Use whole numbers, like ?from=1&to=2.", value=raw[:20]))
        return int(raw)

    to_number = number("to", latest)
    from_number = number("from", max(to_number - 1, 1))
    for value in (from_number, to_number):
        if value not in by_number:
            abort(400, _("%(what)s has no version %(number)s. It has versions 1 to %(latest)s.",
                         what=what, number=value, latest=latest))
    return by_number[from_number], by_number[to_number]


@dataclass(frozen=True)
class LibraryEntry:
    """One case or rubric as the library lists it: its latest version and how many there are."""

    slug: str
    latest: Any
    version_count: int

    @property
    def languages(self) -> list[str]:
        return list(self.latest.languages)

    @property
    def imported_at(self) -> datetime:
        return self.latest.created_at


def library_entries(parent, version_model, parent_key) -> list[LibraryEntry]:
    """Each item of a kind (cases, rubrics) with its latest version, by slug."""
    counts = (
        db.select(parent_key.label("parent_id"), func.count().label("n"), func.max(version_model.number).label("latest"))
        .group_by(parent_key)
        .subquery()
    )
    rows = db.session.execute(
        db.select(parent.slug, version_model, counts.c.n)
        .join(counts, counts.c.parent_id == parent.id)
        .join(version_model, (parent_key == parent.id) & (version_model.number == counts.c.latest))
        .order_by(parent.slug)
    ).all()
    return [LibraryEntry(slug, latest, n) for slug, latest, n in rows]
