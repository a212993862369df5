"""Engine, session factory, session_scope() for workers and the CLI, and the dialect helpers.

The desk runs on SQLite and PostgreSQL. Where they differ (upserts, row locks) services ask
the helpers at the end of this module instead of branching on the dialect themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
SelectT = TypeVar("SelectT", bound=Select[Any])


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


INSERT_PAGE_ROWS = 100


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys so processes share it."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that
        # writers take the lock at the start of a transaction (no upgrade deadlocks).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # Bulk inserts go out as multi-row statements of at most this many rows. Every full page
    # is then the same SQL text, which psycopg converts once and caches: converting a new
    # statement of thousands of parameters costs more than sending it (the SLA sweep).
    kwargs.setdefault("insertmanyvalues_page_size", INSERT_PAGE_ROWS)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener emit BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(
    engine: Engine, settings: Mapping[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views render after the service).

    `settings` (desk.config.session_settings) travel with every session as session.info: the
    plain configuration values that services need (they never see the Flask config).
    """
    return sessionmaker(bind=engine, expire_on_commit=False, info=dict(settings or {}))


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for a task or command; services commit, this only rolls back and closes."""
    session = factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- dialect helpers -------------------------------------------------------------------------


def is_postgresql(session: Session) -> bool:
    """True when the session talks to PostgreSQL (else it is SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def insert_for(session: Session, entity: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT for the session's dialect, which has on_conflict_do_nothing/do_update on both."""
    if is_postgresql(session):
        return postgresql.insert(entity)
    return sqlite.insert(entity)


def for_update(stmt: SelectT, session: Session, *, skip_locked: bool = False) -> SelectT:
    """SELECT ... FOR UPDATE [SKIP LOCKED] on PostgreSQL; unchanged on SQLite.

    SQLite needs no row locks: every transaction takes the database's write lock at BEGIN
    (BEGIN IMMEDIATE, see make_engine), so writers are serialised already.
    """
    if is_postgresql(session):
        return stmt.with_for_update(skip_locked=skip_locked)
    return stmt
