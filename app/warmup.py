"""A production worker gets ready before it takes its first request."""
from __future__ import annotations

import click
from flask import Flask


def register_warmup(app: Flask) -> None:
    """Warm up a worker about to serve (WARM_UP); a command (`flask db upgrade`, …) has no visitors to get ready for."""
    if app.config.get("WARM_UP") and click.get_current_context(silent=True) is None:
        warm_up(app)


def warm_up(app: Flask) -> None:
    """What each worker would otherwise do on its first requests, done before it takes any (under a second): every
    template compiled, the language assistant's word lists built, the translations of each language read. Without
    it the first person to open a page after a restart waits for all of that (the first summary before submitting
    took about half a second in each new worker)."""
    from flask_babel import force_locale, gettext

    from app.language.core import LANGUAGES, get_lexicon

    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        app.jinja_env.get_template(name)
    for lang in LANGUAGES:
        get_lexicon(lang)
    with app.test_request_context():
        for locale in app.config["LANGUAGES"]:
            with force_locale(locale):
                gettext("Sign in")
        warm_case_panels(app)


def warm_case_panels(app: Flask) -> None:
    """The case beside a plan and the case with its teaching notes, for the open assignments, in each language of
    the case and of the pages: each is rendered once per worker and kept, and the first would otherwise cost the
    first student or instructor on that page a tenth of a second or more. A database that cannot be read yet (a
    deploy that has not migrated) only leaves them to be rendered on first use. Runs in warm_up's request context.

    The two panels come from the views that show them (imported here, where they are used)."""
    from flask_babel import force_locale
    from sqlalchemy.exc import SQLAlchemyError

    from app.assignments.services import contents_in_use
    from app.db import db
    from app.plans.views import side_panel_for
    from app.reviews.views import case_for_teachers

    try:
        for case, rubric in contents_in_use():
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    for lang in case.languages:
                        side_panel_for(case, rubric, lang)
                        case_for_teachers(case, lang)
    except SQLAlchemyError as error:
        app.logger.warning("Case panels are rendered on first use: the database could not be read (%s)",
                           error.__class__.__name__)
    finally:
        db.session.remove()
        db.engine.dispose()  # no connection made at start is left open, nor shared with a process forked later
