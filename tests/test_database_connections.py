"""Pooled database connections: checked before use only after lying idle, and replaced when the database closed
them meanwhile (a restart, an idle timeout), so the next person's page still opens."""
from __future__ import annotations

import time

import psycopg
import pytest

import app.db as app_db
from app.cohorts.models import Role
from app.db import db
from tests.conftest import login
from tests.factories import CohortFactory, member


class Clock:
    """time.monotonic, moved forward by the test."""

    def __init__(self):
        self.ahead = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.ahead


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(app_db, "time", clock)
    return clock


@pytest.fixture
def pings(monkeypatch):
    counted = []
    dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: counted.append(1) or real(connection))
    return counted


def _signed_in(client):
    member(CohortFactory(), Role.student, email="ola@example.org", name="Ola")
    db.session.commit()
    login(client, "ola@example.org")


def test_a_connection_back_a_moment_ago_is_used_without_a_ping_and_an_idle_one_is_checked(client, clock, pings, app):
    _signed_in(client)
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert pings == []  # every request found a connection returned a moment ago
    clock.ahead += app.config["DATABASE_PING_AFTER_IDLE"] + 1
    assert client.get("/").status_code == 200
    assert len(pings) == 1  # idle: checked once, then in use again
    assert client.get("/").status_code == 200
    assert len(pings) == 1


@pytest.mark.postgres
def test_after_the_database_closed_every_connection_the_next_page_still_opens(client, clock, app):
    _signed_in(client)
    assert client.get("/").status_code == 200
    db.session.remove()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        closed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
    assert closed >= 1
    clock.ahead += app.config["DATABASE_PING_AFTER_IDLE"] + 1
    try:
        response = client.get("/")
        assert response.status_code == 200 and "Ola" in response.get_data(as_text=True)
    finally:
        db.session.remove()
        db.engine.dispose()  # connections the requests did not take are closed too: leave none behind
