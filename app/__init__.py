"""Care Plan Lab: the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import events
from config import get_config


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(get_config(config_name))
    app.config.update(overrides)
    check_base_url(app)
    from app.auth.policies import check_local_login

    check_local_login(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app.auth.session import SlidingSessionInterface
    from app.db import register_read_only_requests
    from app.navigation import register_navigation
    from app.security import register_security
    from app.signin import register_signin
    from app.warmup import register_warmup

    app.session_interface = SlidingSessionInterface()
    register_extensions(app)
    register_signin(app)
    events.connect()
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_navigation(app)
    register_read_only_requests(app)
    register_security(app)
    register_warmup(app)
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust X-Forwarded-* from that many proxies: the scheme (secure cookies, HSTS, external URLs), the host,
        # and the client's address (login rate limits per client, not per proxy).
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return app


def check_base_url(app: Flask) -> None:
    """Production does not start without a valid BASE_URL; elsewhere a set but invalid one is an error too."""
    from config import base_url_problem

    value: str | None = app.config.get("BASE_URL")
    if value or app.config.get("REQUIRE_BASE_URL"):
        problem = base_url_problem(value)
        if problem or value is None:
            raise RuntimeError(f"{problem} (CAREPLAN_ENV={app.config.get('ENV_NAME')})")
        app.config["BASE_URL"] = value.rstrip("/")


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
    login_manager.init_app(app)
    from app import jobs

    jobs.init_app(app)


def register_blueprints(app: Flask) -> None:
    import importlib

    from app.urls import DatabaseId

    app.url_map.converters["int"] = DatabaseId
    from app.auth.views import bp as auth_bp
    from app.cohorts.views import bp as cohorts_bp
    from app.core.views import bp as core_bp

    for blueprint in (core_bp, auth_bp, cohorts_bp):
        app.register_blueprint(blueprint)
    for name in ("app.cohorts.invitation_views", "app.oidc.views", "app.cases.views", "app.rubrics.views", "app.assignments.views", "app.plans.views",
                 "app.reviews.views", "app.notifications.views", "app.privacy.views", "app.language.views", "app.dashboard.views",
                 "app.audit.views", "app.exports.views", "app.content.views", "app.lti.views",
                 "app.lti.service_views", "app.calibration.views"):
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
    from app.exports.cli import exports_cli
    from app.jobs.cli import jobs_cli
    from app.mail.cli import mail_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(exports_cli)
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
    from app.auth import policies as auth_policies
    from app.cohorts import policies as cohort_policies
    from app.cohorts.services import role_label
    from app.i18n import format_moment, locale_context, time_of_day
    from app.macros import register_shared_macros
    from app.markdown import render_markdown
    from app.urls import external_url

    app.jinja_env.globals.update(cohort_policies=cohort_policies, role_label=role_label, external_url=external_url,
                                 auth_policies=auth_policies)
    register_shared_macros(app, "_instructions.html", "assignment_instructions")  # above a plan, a case, a card
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = format_moment  # every date and time a page shows: "7 Dec 2026 14:00"
    app.jinja_env.filters["time_of_day"] = time_of_day  # "14:05", for what happened today ("Saved 14:05")
    app.context_processor(locale_context)
