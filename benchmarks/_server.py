"""Shared by the benchmarks: a fresh database with the schema, and the app served by gunicorn on a free port."""
from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_url(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--database-url" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--database-url="):
            return arg.split("=", 1)[1]
    if "--postgres" in argv:
        ensure_postgres_database("bench")
        return "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
    return f"sqlite:///{tempfile.mkdtemp(prefix='careplan-bench-')}/bench.db"


def ensure_postgres_database(name: str) -> None:
    """Benchmarks use a database of their own, never the one the test suite rebuilds."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fresh_app(url: str):
    """An app on an empty database whose schema is built by the migrations."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.db import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the app (or another WSGI target) from a separate process."""

    def __init__(self, url: str, workers: int = 2, target: str = "app:create_app()", threads: int = 1,
                 env: dict | None = None, args: list[str] | None = None):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "CAREPLAN_ENV": "testing", "TEST_DATABASE_URL": url,
               "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning", *(args or []), target],
            cwd=ROOT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


class Session:
    """A browser-like HTTP session on one keep-alive connection: cookies and the CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def get(self, path: str):
        status, data = self.request("GET", path)
        match = re.search(rb'name="csrf-token" content="([^"]+)"', data)
        if match:
            self.csrf = match.group(1).decode()
        return status, data

    def post_form(self, path: str, fields: dict):
        fields = dict(fields, csrf_token=self.csrf)
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload) -> tuple[int, bytes]:
        return self.request("POST", path, json.dumps(payload).encode(),
                            {"Content-Type": "application/json", "X-CSRFToken": self.csrf})

    def login(self, email: str, password: str) -> None:
        self.get("/login")
        status, _ = self.post_form("/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login failed for {email}: {status}")
        self.get("/")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(share * (len(ordered) - 1)))))
    return ordered[index]
