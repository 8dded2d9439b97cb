"""Production behind a reverse proxy that terminates TLS: X-Forwarded-* is honoured only when configured."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import jsonify, request, url_for

from app import create_app
from app.db import db
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "careplan.example.org",
             "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "443",
             "Referer": "https://careplan.example.org/login"}  # over https, CSRF also checks the referrer


@pytest.fixture
def production_app(monkeypatch, app):
    """Makes production apps on the test database; their connections are closed after the test."""
    made = []

    def make(**overrides):
        monkeypatch.setenv("SECRET_KEY", "a production secret that is long enough")
        overrides.setdefault("BASE_URL", "https://careplan.example.org")
        prod = create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **overrides)

        @prod.route("/test-only/request")
        def what_the_app_sees():
            return jsonify(scheme=request.scheme, host=request.host, remote_addr=request.remote_addr,
                           is_secure=request.is_secure, home=url_for("core.index", _external=True))

        made.append(prod)
        return prod

    yield make
    for prod in made:
        with prod.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def test_behind_the_proxy_the_app_sees_https_the_public_host_and_the_client(production_app):
    prod = production_app(PROXY_FIX_HOPS=1)
    client = prod.test_client()
    seen = client.get("/test-only/request", headers=FORWARDED).get_json()
    assert seen == {"scheme": "https", "host": "careplan.example.org", "remote_addr": "203.0.113.7",
                    "is_secure": True, "home": "https://careplan.example.org/"}
    response = client.get("/login", headers=FORWARDED)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_only_the_last_proxy_is_trusted(production_app):
    """A client that sends its own X-Forwarded-For gets it appended to by the proxy; one hop means the proxy's
    entry counts and the forged one does not."""
    prod = production_app(PROXY_FIX_HOPS=1)
    headers = dict(FORWARDED, **{"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})
    assert prod.test_client().get("/test-only/request", headers=headers).get_json()["remote_addr"] == "203.0.113.7"


def test_without_proxy_fix_forwarded_headers_are_ignored(production_app):
    prod = production_app(PROXY_FIX_HOPS=0)
    seen = prod.test_client().get("/test-only/request", headers=FORWARDED).get_json()
    assert seen["scheme"] == "http" and seen["remote_addr"] == "127.0.0.1" and seen["host"] == "localhost"


def test_login_rate_limit_counts_each_client_behind_the_proxy(production_app):
    prod = production_app(PROXY_FIX_HOPS=1)
    user = UserFactory()

    def attempt(client_address: str, n: int) -> int:
        client = prod.test_client()
        headers = dict(FORWARDED, **{"X-Forwarded-For": client_address})
        html = client.get("/login", headers=headers).get_data(as_text=True)
        token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        return client.post("/login", headers=headers, data={"email": f"nobody{n}@example.org", "password": "wrong",
                                                            "csrf_token": token}).status_code

    statuses = [attempt("198.51.100.1", n) for n in range(11)]
    assert statuses[0] == 200 and statuses[-1] == 429
    client = prod.test_client()
    headers = dict(FORWARDED, **{"X-Forwarded-For": "198.51.100.2"})
    html = client.get("/login", headers=headers).get_data(as_text=True)
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post("/login", headers=headers, data={"email": user.email, "password": "correct horse battery",
                                                             "csrf_token": token})
    assert response.status_code == 302, "another student behind the same proxy can still sign in"


@pytest.mark.parametrize("environment, hops", [
    ({}, 0), ({"CAREPLAN_PROXY_FIX": "1"}, 1), ({"CAREPLAN_PROXY_FIX": "0"}, 0), ({"PROXY_FIX_HOPS": "2"}, 2),
    ({"CAREPLAN_PROXY_FIX": "1", "PROXY_FIX_HOPS": "2"}, 2),
])
def test_proxy_settings_come_from_the_environment(environment, hops):
    env = {k: v for k, v in os.environ.items() if k not in ("CAREPLAN_PROXY_FIX", "PROXY_FIX_HOPS", "RATELIMIT_ENABLED")}
    env.update(environment, SECRET_KEY="s" * 40, PYTHONPATH=str(ROOT))
    script = ("import json, config; c = config.get_config('production'); "
              "print(json.dumps([c.PROXY_FIX_HOPS, c.RATELIMIT_ENABLED]))")
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [hops, True]


# --- absolute links in production: from BASE_URL, whatever Host or X-Forwarded-Host says ------------------------------

def _reset_link_sent(prod, headers: dict) -> str:
    from tests.conftest import outbox

    user = UserFactory()
    client = prod.test_client()
    html = client.get("/password/forgot", headers=headers).get_data(as_text=True)
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post("/password/forgot", headers=headers, data={"email": user.email, "csrf_token": token})
    assert response.status_code == 200
    body = outbox(user.email)[-1].body
    return next(line for line in body.splitlines() if "/password/reset/" in line).strip()


@pytest.mark.parametrize("hops", [0, 1])
def test_a_forged_host_changes_no_link_in_production(production_app, hops):
    prod = production_app(PROXY_FIX_HOPS=hops)
    forged = dict(FORWARDED, **{"X-Forwarded-Host": "evil.example", "Host": "evil.example",
                                "Referer": "https://evil.example/password/forgot"})
    link = _reset_link_sent(prod, forged)
    assert link.startswith("https://careplan.example.org/password/reset/"), link


def test_links_keep_the_path_the_app_is_served_under(production_app):
    prod = production_app(PROXY_FIX_HOPS=1, BASE_URL="https://uni.example.org/careplan/")
    link = _reset_link_sent(prod, FORWARDED)
    assert link.startswith("https://uni.example.org/careplan/password/reset/"), link


@pytest.mark.parametrize("base_url", [None, "", "careplan.example.org", "ftp://careplan.example.org", "https://",
                                      "https:///path", "javascript:alert(1)", "https://careplan.example.org?x=1"])
def test_production_refuses_to_start_without_a_valid_base_url(monkeypatch, app, base_url):
    monkeypatch.setenv("SECRET_KEY", "a production secret that is long enough")
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], BASE_URL=base_url)


@pytest.mark.parametrize("environment, base_url", [
    ({"BASE_URL": "https://a.example.org"}, "https://a.example.org"),
    ({"CAREPLAN_BASE_URL": "https://b.example.org"}, "https://b.example.org"),
    ({"BASE_URL": "https://a.example.org", "CAREPLAN_BASE_URL": "https://b.example.org"}, "https://a.example.org"),
])
def test_the_base_url_comes_from_the_environment(environment, base_url):
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "CAREPLAN_BASE_URL")}
    env.update(environment, SECRET_KEY="s" * 40, PYTHONPATH=str(ROOT), CAREPLAN_ENV="production",
               DATABASE_URL="sqlite://")
    script = "import app; print(app.create_app().config['BASE_URL'])"
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == base_url


def test_production_without_a_base_url_in_the_environment_does_not_start():
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "CAREPLAN_BASE_URL")}
    env.update(SECRET_KEY="s" * 40, PYTHONPATH=str(ROOT), CAREPLAN_ENV="production", DATABASE_URL="sqlite://")
    out = subprocess.run([sys.executable, "-c", "import app; app.create_app()"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "BASE_URL must be set" in out.stderr
