"""Shared fixtures: an app whose schema is built by the migrations, a clean database per test,
test clients that behave like separate browsers, and a live server for the browser tests."""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import threading

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text
from werkzeug.serving import make_server

from app import create_app
from app.db import db
from app.extensions import limiter

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_POSTGRES = DATABASE_URL.startswith("postgresql")

try:  # a CI profile for hypothesis: fewer examples, no deadline on slow machines
    from hypothesis import HealthCheck, settings

    # Hostile input is large on purpose (pages of text in every field at once): that is not a problem to report.
    settings.register_profile("ci", max_examples=40, deadline=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover
    pass


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL: they run when the suite runs against it."""
    if IS_POSTGRES:
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class BrowserLikeClient(FlaskClient):
    """Each request runs in its own context, like a real request from a browser: nothing from the test's
    application context (g, the database session) leaks into it, and the test sees committed data after."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed, already inside a request's own context
            return super().open(*args, **kwargs)
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def _reset_schema(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if IS_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if DATABASE_URL:
        return DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, SERVER_NAME=None,
                     EXPORTS_FOLDER=str(tmp_path_factory.mktemp("exports")))
    app.test_client_class = BrowserLikeClient
    _reset_schema(app)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()
    ctx.pop()


def _clean_database() -> None:
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if IS_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


class InFlight:
    """The live server's app, counting the requests it is still answering: a browser test's page may leave an
    autosave or a hint check on its way when the test ends. The database is emptied only while no request runs, and
    a request arriving meanwhile waits until it is done (on PostgreSQL, emptying the tables under a request still
    reading them ends in a deadlock)."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.cleaning = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.changed.wait_for(lambda: not self.cleaning)
            self.count += 1
        try:
            answer = self.app(environ, start_response)
            try:
                return list(answer)
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    @contextlib.contextmanager
    def quiet(self, seconds: float = 15):
        """No request runs inside this block: those under way are answered first, new ones wait for its end."""
        with self.changed:
            self.cleaning = True
            self.changed.wait_for(lambda: self.count == 0, seconds)
        try:
            yield
        finally:
            with self.changed:
                self.cleaning = False
                self.changed.notify_all()


_served: list[InFlight] = []


@pytest.fixture(autouse=True)
def _isolation(request):
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    limiter.reset()
    yield
    with contextlib.ExitStack() as quiet:
        for served in _served:
            quiet.enter_context(served.quiet())
        _clean_database()
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    return app.test_client


def csrf_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = "correct horse battery", follow=False):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=follow)


def post(client, url: str, data: dict | None = None, **kwargs):
    """A form post carrying the client's CSRF token, as a browser would."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def outbox(recipient: str | None = None):
    from app.mail.models import OutboxMessage

    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query))


# --- live server and browser -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    served = InFlight(app)
    _served.append(served)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM} (apt-get install chromium); `make test` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class QueryCounter:
    """Counts the statements sent to the database while it is open (`with QueryCounter() as counter:`)."""

    def __init__(self):
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args, **kwargs):
        self.count += 1
        self.statements.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


# --- a real OpenID Connect provider (oidc-provider-mock) for the sign-in tests ------------------------------------

@pytest.fixture(scope="session")
def oidc_server():
    import warnings

    with warnings.catch_warnings():  # the mock provider imports modules of Authlib that Authlib now deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def provider(app, oidc_server):
    """Sign-in with the mock provider configured for one test (the groups API off unless a test sets it)."""
    settings = {"FEIDE_CLIENT_ID": "careplan-test", "FEIDE_CLIENT_SECRET": "test-secret",
                "OIDC_DISCOVERY_URL": f"{oidc_server}/.well-known/openid-configuration", "FEIDE_GROUPS_URL": "",
                "FEIDE_SIGN_UP": True, "FEIDE_TRUST_EMAIL": True, "LOCAL_LOGIN": "on"}
    before = {name: app.config[name] for name in settings}
    app.config.update(settings)
    yield oidc_server
    app.config.update(before)
