"""Pages that only read run without a transaction, and so may not write: a GET view that changes data says so
(`app.db.transactional`) and runs in a transaction like any form post."""
from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import update

from app import create_app
from app.auth.models import User
from app.db import OneStatementError, ReadOnlyRequestError, begin_transaction, db, one_statement, transactional
from tests.conftest import BrowserLikeClient, login, post
from tests.factories import UserFactory


@pytest.fixture
def routes(app):
    """An app of its own on the test database, with routes that write in each way."""
    test_app = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          WTF_CSRF_ENABLED=False)
    test_app.test_client_class = BrowserLikeClient

    def rename(name):
        user = db.session.get(User, int(request.args["id"]))
        user.name = name
        db.session.commit()
        return user.name

    @test_app.route("/test-only/rename-quietly")
    def rename_quietly():
        return rename("Renamed quietly")

    @test_app.route("/test-only/rename-openly")
    @transactional
    def rename_openly():
        return rename("Renamed openly")

    @test_app.route("/test-only/update-quietly")
    def update_quietly():
        db.session.execute(update(User).where(User.id == int(request.args["id"])).values(name="Updated quietly"))
        db.session.commit()
        return "done"

    @test_app.route("/test-only/lock-quietly")
    def lock_quietly():
        db.session.execute(db.select(User).where(User.id == int(request.args["id"])).with_for_update()).all()
        return "done"

    @test_app.route("/test-only/stream-quietly")
    def stream_quietly():
        return str(len(db.session.execute(db.select(User.id).execution_options(yield_per=10)).all()))

    @test_app.route("/test-only/stream-openly")
    @transactional
    def stream_openly():
        return str(len(db.session.execute(db.select(User.id).execution_options(yield_per=10)).all()))

    @test_app.route("/test-only/rename-by-post", methods=["POST"])
    def rename_by_post():
        return rename("Renamed by post")

    @test_app.route("/test-only/one-statement", methods=["POST"])
    @one_statement
    def update_by_itself():
        db.session.execute(update(User).where(User.id == int(request.args["id"])).values(name="Updated by itself"))
        if request.args.get("then") == "fail":
            raise RuntimeError("a failure after the statement")
        return "done"

    @test_app.route("/test-only/one-statement-then-objects", methods=["POST"])
    @one_statement
    def objects_without_a_transaction():
        db.session.get(User, int(request.args["id"])).name = "Changed as an object"
        db.session.flush()
        return "done"

    @test_app.route("/test-only/one-statement-then-transaction", methods=["POST"])
    @one_statement
    def objects_in_a_transaction():
        begin_transaction()
        user = db.session.get(User, int(request.args["id"]))
        user.name = "Changed in a transaction"
        db.session.flush()
        if request.args.get("then") == "fail":
            raise RuntimeError("a failure inside the transaction")
        db.session.commit()
        return user.name

    @test_app.route("/test-only/name")
    def name():
        return db.session.get(User, int(request.args["id"])).name

    yield test_app
    with test_app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def name_of(user_id: int) -> str:
    return db.session.scalar(db.select(User.name).where(User.id == user_id))


def test_a_page_that_only_reads_cannot_write(routes, caplog):
    user = UserFactory(name="Astrid")
    client = routes.test_client()
    for path in ("/test-only/rename-quietly", "/test-only/update-quietly", "/test-only/lock-quietly",
                 "/test-only/stream-quietly"):
        assert client.get(f"{path}?id={user.id}").status_code == 500
    assert name_of(user.id) == "Astrid"
    refused = [record for record in caplog.records if record.exc_info and record.exc_info[0] is ReadOnlyRequestError]
    assert len(refused) == 4


def test_views_that_write_say_so_and_posts_write(routes):
    client = routes.test_client()
    user = UserFactory(name="Astrid")
    assert client.get(f"/test-only/rename-openly?id={user.id}").get_data(as_text=True) == "Renamed openly"
    assert name_of(user.id) == "Renamed openly"
    assert client.post(f"/test-only/rename-by-post?id={user.id}").status_code == 200
    assert name_of(user.id) == "Renamed by post"
    assert client.get("/test-only/stream-openly").get_data(as_text=True) == "1"
    # A page that reads sees what was committed before it
    assert client.get(f"/test-only/name?id={user.id}").get_data(as_text=True) == "Renamed by post"


def test_the_app_s_own_get_pages_that_write_still_do(client):
    """Opening a notice marks it read; downloading one's data is recorded in the audit log."""
    from app.audit.models import AuditEntry
    from app.notifications.models import Notification

    user = UserFactory()
    notice = Notification(user_id=user.id, kind="released")
    db.session.add(notice)
    db.session.commit()
    login(client, user.email)
    assert client.get(f"/notifications/{notice.id}").status_code == 302
    db.session.refresh(notice)
    assert notice.read_at is not None
    assert client.get("/account/data").status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.actor_id == user.id)) >= 1
    assert post(client, "/logout").status_code == 302


def test_a_view_of_one_statement_commits_it_by_itself_and_needs_a_transaction_for_more(routes, caplog):
    """An autosave's usual work is one conditional UPDATE, committed as it runs; anything more (objects changed,
    statements that belong together) waits for `begin_transaction()` and is then all or nothing."""
    client = routes.test_client()
    user = UserFactory(name="Astrid")
    assert client.post(f"/test-only/one-statement?id={user.id}").status_code == 200
    assert name_of(user.id) == "Updated by itself"
    db.session.execute(update(User).where(User.id == user.id).values(name="Astrid"))
    db.session.commit()
    # The statement stands on its own: a failure after it does not take it back.
    assert client.post(f"/test-only/one-statement?id={user.id}&then=fail").status_code == 500
    assert name_of(user.id) == "Updated by itself"
    # Objects cannot be changed (several statements, perhaps) without a transaction.
    assert client.post(f"/test-only/one-statement-then-objects?id={user.id}").status_code == 500
    assert name_of(user.id) == "Updated by itself"
    assert any(record.exc_info and record.exc_info[0] is OneStatementError for record in caplog.records)
    # In the transaction it asked for, all or nothing.
    assert client.post(f"/test-only/one-statement-then-transaction?id={user.id}&then=fail").status_code == 500
    assert name_of(user.id) == "Updated by itself"
    answer = client.post(f"/test-only/one-statement-then-transaction?id={user.id}")
    assert answer.get_data(as_text=True) == "Changed in a transaction"
    assert name_of(user.id) == "Changed in a transaction"
