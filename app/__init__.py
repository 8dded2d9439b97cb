"""Care Plan Lab: the application factory."""
from __future__ import annotations

import functools
from pathlib import Path

import click
from flask import Flask

from app import events
from config import get_config


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(get_config(config_name))
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app.auth.session import SlidingSessionInterface

    app.session_interface = SlidingSessionInterface()
    register_extensions(app)
    events.connect()
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_read_only_requests(app)
    register_security_headers(app)
    register_input_guard(app)
    if app.config.get("WARM_UP") and click.get_current_context(silent=True) is None:
        warm_up(app)  # a worker about to serve; a command (`flask db upgrade`, …) has no visitors to get ready for
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust X-Forwarded-* from that many proxies: the scheme (secure cookies, HSTS, external URLs), the host,
        # and the client's address (login rate limits per client, not per proxy).
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return app


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
        _warm_case_panels(app)


def _warm_case_panels(app: Flask) -> None:
    """The case beside a plan and the case with its teaching notes, for the open assignments, in each language of
    the case and of the pages: each is rendered once per worker and kept, and the first would otherwise cost the
    first student or instructor on that page a tenth of a second or more. A database that cannot be read yet (a
    deploy that has not migrated) only leaves them to be rendered on first use. Runs in warm_up's request context."""
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


def register_extensions(app: Flask) -> None:
    from app import models as _models  # noqa: F401  (every model is known to SQLAlchemy and Alembic)
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale

    if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):  # those have no pool
        # The connection returned last is taken first: connections in use stay warm, the ones not needed lie
        # idle (and are checked when next needed, below) instead of each taking its turn.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_use_lifo": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    db.init_app(app)
    with app.app_context():
        from app.db import ping_idle_connections

        ping_idle_connections(db.engine, app.config["DATABASE_PING_AFTER_IDLE"])
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).resolve().parent / "translations"))
    limiter.init_app(app)
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        # Every limit is on the view that names it (sign-in, password reset, joining a cohort) and is checked by
        # that view's decorator; there is no limit for the whole site (app.extensions: default_limits=[]). The
        # check Flask-Limiter also runs before every request would find nothing to do, and costs each page and
        # autosave about a tenth of a millisecond.
        hooks.remove(limiter._check_request_limit)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(value: str):
        user_id, _, nonce = (value or "").partition(".")
        if not user_id.isdigit():
            return None
        row = db.session.execute(_sign_in_query(), {"user_id": int(user_id)}).unique().first()
        if row is None or row[0].session_nonce != nonce:
            return None
        user, unread = row
        user._unread_notifications = unread  # read by notifications.services.unread_count
        user._locale_as_read = user.locale  # read by i18n.select_locale, also after a commit has expired the user
        return user


@functools.cache
def _sign_in_query():
    """One round trip for what every page asks about the person: the account, their roles in each cohort (menus,
    buttons, access) and the unread count in the header. Built once; each request only binds the id."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload, load_only

    from app.auth.models import User
    from app.cohorts.models import Membership
    from app.db import db
    from app.notifications.services import unread_count_of

    # Only the columns pages use: the password hash, the e-mail address and the dates are read when first asked
    # for (the account page, a change of password), and every column costs each page a little to decode.
    return (db.select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))
            .options(load_only(User.name, User.is_admin, User.locale, User.session_nonce),
                     joinedload(User.memberships).load_only(Membership.cohort_id, Membership.role)))


def register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    class DatabaseId(IntegerConverter):
        """Ids in URLs stay within what the database can hold; anything larger is simply not found."""

        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId
    from app.auth.views import bp as auth_bp
    from app.cohorts.views import bp as cohorts_bp
    from app.core.views import bp as core_bp

    for blueprint in (core_bp, auth_bp, cohorts_bp):
        app.register_blueprint(blueprint)
    import importlib

    for name in ("app.cases.views", "app.rubrics.views", "app.assignments.views", "app.plans.views",
                 "app.reviews.views", "app.notifications.views", "app.privacy.views", "app.language.views", "app.dashboard.views",
                 "app.audit.views"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (name == exc.name or name.startswith(f"{exc.name}.")):  # a real error inside a module
                raise
            continue
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.content.cli import content_cli
    from app.demo.cli import demo_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_cli)
    try:
        from app.language.cli import language_cli
    except ModuleNotFoundError as exc:
        if exc.name not in ("app.language", "app.language.cli"):
            raise
    else:
        app.cli.add_command(language_cli)


def register_template_helpers(app: Flask) -> None:
    from app.cohorts import policies as cohort_policies
    from app.cohorts.services import role_label
    from app.forms import csrf_token
    from app.fragments import fill, kept_part, slot
    from app.i18n import format_moment
    from app.markdown import render_markdown

    app.jinja_env.globals.update(cohort_policies=cohort_policies, role_label=role_label, kept_part=kept_part,
                                 fill=fill, slot=slot, csrf_token=csrf_token)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = format_moment  # `|datetime` to the minute, `|datetime("short")` as Babel's

    @app.context_processor
    def inject_locale():
        from flask import request

        from app.i18n import current_locale

        # The language menu posts to core.change_locale (validated by LocaleForm there) and comes back here.
        # `csrf_token` again here: Flask-WTF puts its own `generate_csrf`, which signs the token anew on every
        # page, into each template's context, and this processor runs after its.
        return {"locale_next": request.full_path.rstrip("?"), "current_locale": current_locale(),
                "languages": app.config["LANGUAGES"], "csrf_token": csrf_token, **render_gettext()}


def render_gettext() -> dict:
    """`_`, `gettext` and `ngettext` for one template render, bound to the catalogue of the language it renders in.

    They behave as Flask-Babel's (Jinja's "newstyle" gettext: escaped, then `%`-formatted with the keyword
    arguments), but look the catalogue up once per render instead of once per string; a page says a hundred or
    more. Mail rendered in its recipient's language (`force_locale`) gets that language's catalogue, since each
    render asks anew. Macros imported without context use the global functions, which give the same answers."""
    from flask_babel import get_translations
    from jinja2 import pass_context
    from markupsafe import Markup

    translations = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_input_guard(app: Flask) -> None:
    """NUL characters never belong in text and PostgreSQL cannot store them: refuse them at the door."""
    from flask import abort, request
    from flask_babel import gettext as _

    @app.before_request
    def refuse_nul_characters():
        values = [v for vs in request.args.listvalues() for v in vs]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.is_json and (b"\x00" in request.get_data() or b"\\u0000" in request.get_data()):
                abort(400, _("Text cannot contain NUL characters."))
            values += [v for vs in request.form.listvalues() for v in vs]
        if any("\x00" in value for value in values):
            abort(400, _("Text cannot contain NUL characters."))


def register_read_only_requests(app: Flask) -> None:
    """GET and HEAD requests read without a transaction unless their view is marked `app.db.transactional`."""
    from flask import request

    from app.db import db

    @app.before_request
    def read_only_requests():
        if request.method in ("GET", "HEAD"):
            view = app.view_functions.get(request.endpoint or "")  # no endpoint: no route matched
            if view is not None and not getattr(view, "db_transactional", False):
                db.session.info["reading"] = True


def register_security_headers(app: Flask) -> None:
    fixed = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
             ("Cross-Origin-Opener-Policy", "same-origin")]
    if app.config.get("HSTS"):
        fixed.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    html = [*fixed, ("Cache-Control", "no-store")]

    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own (one pass over the response's headers, not one per header).
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        wanted = html if response.mimetype == "text/html" else fixed
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
