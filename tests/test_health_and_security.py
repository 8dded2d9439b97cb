from __future__ import annotations

from sqlalchemy.exc import OperationalError

from app import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unreachable" and body["reason"]


def test_security_headers_on_every_page(client):
    for url in ("/", "/login", "/does-not-exist"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_production_settings_need_a_secret_key_and_set_secure_cookies(monkeypatch):
    import pytest

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "Strict-Transport-Security" in app.test_client().get("/login").headers


def test_friendly_404_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_env_is_a_clear_error():
    import pytest

    with pytest.raises(RuntimeError, match="CAREPLAN_ENV"):
        create_app("staging")


def test_markdown_is_sanitised():
    from app.markdown import render_markdown

    html = str(render_markdown('Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>'))
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<p>" in html
    assert OperationalError  # imported for type clarity


def test_a_production_worker_is_ready_before_its_first_request(monkeypatch, app):
    """Templates compiled and the language assistant's word lists built when the app starts, so the first people
    after a restart do not wait for them."""
    from app.language import core

    monkeypatch.setenv("SECRET_KEY", "w" * 40)
    monkeypatch.setattr(core, "_CACHE", {})
    prod = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    templates = prod.jinja_env.list_templates(extensions=("html", "txt", "xml"))
    assert len(templates) > 40
    cached = {key[1] for key in prod.jinja_env.cache.keys()}
    assert set(templates) <= cached
    assert set(core._CACHE) == set(core.LANGUAGES)
    # and a test app, which starts many times, skips it
    assert not create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://").jinja_env.cache
    # as does a command (`flask db upgrade` on a database not yet migrated would only read it in vain)
    import click

    with click.Context(click.Command("upgrade")):
        command = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert not command.jinja_env.cache


def test_a_production_worker_has_the_case_panels_of_open_assignments_ready(monkeypatch, app):
    """The case beside a plan and the case with its teaching notes are the slowest parts of a first page; a worker
    renders them at start for every open assignment, in every language of the case and of the pages."""
    from app import fragments
    from app.db import db
    from app.memo import SizedStore
    from app.plans import views as plan_views
    from app.reviews import views as review_views
    from tests.factories import AssignmentFactory

    open_one = AssignmentFactory()
    closed = AssignmentFactory(closed_at=open_one.opens_at, case_version=open_one.case_version)
    db.session.commit()
    case, rubric, languages = open_one.case_version, open_one.rubric_version, list(open_one.case_version.languages)
    assert closed.closed_at is not None and len(languages) == 2
    monkeypatch.setenv("SECRET_KEY", "w" * 40)
    monkeypatch.setattr(fragments, "STORES", {name: SizedStore(store.max_bytes)
                                              for name, store in fragments.STORES.items()})
    prod = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    def not_again(*args):
        raise AssertionError("rendered again: the kept part was not ready")

    monkeypatch.setattr(fragments, "render_macro", not_again)
    from flask_babel import force_locale

    with prod.test_request_context():
        for locale in ("en", "nb"):
            with force_locale(locale):
                for lang in languages:
                    side = plan_views.side_panel_for(case, rubric, lang)
                    assert 'id="case-panel"' in side
                    assert 'class="doc"' in review_views.case_for_teachers(case, lang)
    assert len(fragments.STORES["content"]) == 2 * 2 * 2  # two panels, two case languages, two page languages


def test_a_worker_starts_even_when_the_database_cannot_be_read_yet(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "w" * 40)
    prod = create_app("production", BASE_URL="https://careplan.example.org", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/not-migrated.db")
    assert prod.test_client().get("/healthz").status_code == 200  # reachable, only not migrated
