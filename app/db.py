"""The database object, the naming convention for constraints, and shared column helpers."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from weakref import WeakKeyDictionary

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware. Used as a callable default, never evaluated at import."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite has no time zones) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ReadOnlyRequestError(RuntimeError):
    """A request that only reads tried to change the database."""


class OneStatementError(RuntimeError):
    """A view marked `one_statement` changed objects before asking for a transaction."""


ONE_STATEMENT = "a view marked `one_statement` calls `begin_transaction()` before it changes objects"
READ_ONLY = "this request only reads: a GET view that writes, locks or streams rows is marked `transactional`"
_reading_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class Session(FlaskSession):
    """The request's session. A request that only reads (a GET or HEAD whose view is not marked `transactional`)
    reads without a transaction: each query sees the data committed when it runs, as it would in a READ COMMITTED
    transaction, without the BEGIN and ROLLBACK round trips around them (a third of the database's work for a
    page). Such a session refuses to write, lock or stream (`refuse_writes`, `refuse_write_statements`), so a
    read-only page can never half-write; a GET view that needs more says so (`transactional`)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (self.info.get("reading") or self.info.get("one_statement")) and isinstance(engine, Engine):
            reading = _reading_engines.get(engine)
            if reading is None:
                # Shares the engine's pool; the connection's own setting comes back when it returns to the pool.
                reading = _reading_engines[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
            return reading
        return engine


@event.listens_for(Session, "before_flush")
def refuse_writes(session, flush_context, instances):
    if session.info.get("reading") and (session.new or session.deleted
                                         or any(session.is_modified(obj) for obj in session.dirty)):
        raise ReadOnlyRequestError(READ_ONLY)
    if session.info.get("one_statement") and (session.new or session.deleted or session.dirty):
        raise OneStatementError(ONE_STATEMENT)


@event.listens_for(Session, "do_orm_execute")
def refuse_write_statements(state):
    if state.session.info.get("reading") and (
            state.is_insert or state.is_update or state.is_delete
            or (state.is_select and getattr(state.statement, "_for_update_arg", None) is not None)
            or "yield_per" in state.execution_options or state.execution_options.get("stream_results")):
        raise ReadOnlyRequestError(READ_ONLY)


def one_statement(view):
    """Marks a POST view whose usual work is one statement that stands on its own (an autosave's conditional
    UPDATE): until the view asks for a transaction (`begin_transaction`), each statement commits by itself, without
    the BEGIN and COMMIT round trips around it. Changing objects (a flush, several statements that belong
    together) needs the transaction first: without it the session refuses (`OneStatementError`)."""
    view.db_one_statement = True
    return view


def begin_transaction() -> None:
    """In a view marked `one_statement`: from here on, the request's statements run in one transaction, as in any
    other POST (its commit or rollback ends it). What the session had read is expired and read again when used."""
    session = db.session()
    if session.info.pop("one_statement", False):
        session.commit()  # commits nothing: gives back the connection that committed each statement by itself


def transactional(view):
    """Marks a GET view that needs a transaction, as every POST has: it changes the database (marking a notice
    read, recording a download) or streams rows from a server-side cursor (`yield_per`)."""
    view.db_transactional = True
    return view


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})


if TYPE_CHECKING:
    # A type checker cannot take an attribute (db.Model) as a base class; to it, a model is a declarative Base.
    Model = Base
else:
    Model = db.Model


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. The session returns a CursorResult for those, typed as a Result."""
    return cast("CursorResult[Any]", result).rowcount


def register_read_only_requests(app) -> None:
    """GET and HEAD requests read without a transaction unless their view is marked `transactional`; a POST view
    marked `one_statement` runs each statement on its own until it asks for a transaction."""
    from flask import request

    @app.before_request
    def read_only_requests():
        view = app.view_functions.get(request.endpoint)
        if view is None:
            return
        if request.method in ("GET", "HEAD"):
            if not getattr(view, "db_transactional", False):
                db.session.info["reading"] = True
        elif getattr(view, "db_one_statement", False):
            db.session.info["one_statement"] = True


def ping_idle_connections(engine: Engine, after_seconds: float) -> None:
    """Check a pooled connection with a round trip before use only when it has lain idle for `after_seconds`
    (a database restart, a dropped network path or an idle timeout may have closed it meanwhile); a dead one is
    replaced before the request sees it. A connection back from the previous request a moment ago is used as it
    is: pinging on every checkout (`pool_pre_ping`) would cost every request a round trip, an eighth of a
    worker's time under a class's load. If the database restarts while requests keep every connection busy, each
    connection that was open fails one request, and the pool then replaces them all."""
    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record):
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        returned_at = record.info.pop("returned_at", None)
        if returned_at is None or time.monotonic() - returned_at < after_seconds:
            return  # new, or back a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise sa_exc.DisconnectionError(str(error)) from error  # the pool connects afresh and tries again
            raise


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
