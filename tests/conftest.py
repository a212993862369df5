"""Fixtures shared by every tier: real databases (SQLite and PostgreSQL), app, users, cases.

Each test's writes are undone by rolling back: its session (and, in web tests, every request
of the one shared app) works on one connection inside an outer transaction, where
session.commit() only releases a savepoint. A test marked `committed` (other connections or
threads must see its data) commits for real instead, and the volatile tables are emptied
after it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from limits.storage import MemoryStorage
from sqlalchemy import Connection, Engine, delete, event, exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from desk.app import create_app
from desk.config import PROJECT_ROOT, load_config, session_settings
from desk.db import make_engine, make_session_factory
from desk.domain.intake import RawSubmission
from desk.models import (
    ApiToken,
    BusinessHoursRow,
    Case,
    CaseCollaborator,
    CaseEvent,
    CaseFollower,
    CaseMessage,
    CaseSlaTarget,
    ClosureDay,
    Employer,
    IdempotencyKey,
    KeyAccount,
    OutboxMessage,
    RecoveryCode,
    ReferenceCounter,
    RoutingRuleSetVersion,
    SlaEvent,
    SlaPolicy,
    StaffChange,
    TeamRoutingSettings,
    User,
    team_members,
)
from desk.models.notification import (
    EmployerOptOut,
    Notification,
    NotificationPreference,
    WebhookSubscription,
)
from desk.models.public import CaseEmailChoice, SatisfactionResponse
from desk.rate_limit_store import SqliteRateLimitStorage
from desk.services import reference_data, routing, schema, users
from tests.support.services import postgres_reachable, temporary_postgres_database
from tests.support.tiers import unavailable

# The suite runs in test mode with a random key of its own (production refuses to start
# without DESK_SECRET_KEY, and development would keep its key in the repository's instance/).
os.environ.setdefault("DESK_ENV", "test")
os.environ.setdefault("DESK_SECRET_KEY", secrets.token_urlsafe(48))
# Apps a test builds itself count their rate limits in this run's own file, never instance/.
os.environ.setdefault(
    "DESK_RATELIMIT_SQLITE_PATH",
    str(Path(tempfile.mkdtemp(prefix="desk-test-limits-")) / "ratelimits.sqlite3"),
)
TEST_ENVIRON = {"DESK_ENV": "test", "DESK_SECRET_KEY": os.environ["DESK_SECRET_KEY"]}

# Hashing with one PBKDF2 round: Werkzeug's scrypt took 40 % of the service tests' time.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1"

REFERENCE_FILE = PROJECT_ROOT / "config" / "reference.toml"
ROUTING_FILE = PROJECT_ROOT / "config" / "routing.toml"
PASSWORD = "correct horse battery"
# What create_app gives its sessions with the default configuration (the shipped SLA file).
SESSION_SETTINGS = {
    **session_settings(load_config(environ=TEST_ENVIRON)),
    # The tests' webhook receivers listen on this machine; the example hosts do not resolve.
    "WEBHOOK_ALLOW_HOSTS": ["127.0.0.1", "localhost", ".example.fi", "x.fi"],
}

# Tables emptied between tests; reference data and the seeded routing rules stay loaded. SLA
# policies are volatile: a case submitted without stored policies gets the shipped defaults.
_VOLATILE = (
    StaffChange,
    Employer,
    RecoveryCode,
    ApiToken,
    IdempotencyKey,
    CaseEvent,
    CaseMessage,
    CaseFollower,
    CaseCollaborator,
    OutboxMessage,
    SlaEvent,
    CaseSlaTarget,
    Case,
    ReferenceCounter,
    KeyAccount,
    TeamRoutingSettings,
    SlaPolicy,
    ClosureDay,
    BusinessHoursRow,
)


def _prepare(url: str) -> Engine:
    schema.upgrade(url)  # the real migrations, never create_all
    engine = make_engine(url)
    factory = make_session_factory(engine, SESSION_SETTINGS)
    with factory() as session:
        reference_data.load_reference_data(session, REFERENCE_FILE)
        routing.seed_rules(session, ROUTING_FILE)
    return engine


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'desk.sqlite3'}"


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = _prepare(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = postgres_reachable()
    if problem:
        unavailable(problem)
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = _prepare(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Service tests run once on SQLite and once on PostgreSQL."""
    fixture: Engine = request.getfixturevalue(f"{request.param}_engine")
    return fixture


# Notification tables, emptied first (they point at outbox rows, cases and users).
_NOTIFY_VOLATILE = (
    Notification,
    NotificationPreference,
    EmployerOptOut,
    WebhookSubscription,
    CaseEmailChoice,
    SatisfactionResponse,
)


def _clean(engine: Engine) -> None:
    with engine.begin() as conn:
        for model in _NOTIFY_VOLATILE:
            conn.execute(delete(model))
        for model in _VOLATILE:
            conn.execute(delete(model))
        # Versions saved by a test go; the seeded version 1 (the defaults) stays in force.
        conn.execute(delete(RoutingRuleSetVersion).where(RoutingRuleSetVersion.number > 1))
        conn.execute(delete(team_members))
        conn.execute(delete(User))


# One cheap query: is anything left that _clean would delete?
_LEFTOVERS = select(
    or_(
        *(exists().select_from(model) for model in (*_NOTIFY_VOLATILE, *_VOLATILE, User)),
        exists().select_from(team_members),
        exists().where(RoutingRuleSetVersion.number > 1),
    )
)


def _ensure_clean(engine: Engine) -> None:
    """Empty the volatile tables if a test committed to them (its own app, a marked test)."""
    with engine.connect() as conn:
        dirty = bool(conn.scalar(_LEFTOVERS))
    if dirty:
        _clean(engine)


def _committed(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("committed") is not None


@contextmanager
def _committing(engine: Engine) -> Iterator[None]:
    """A test that commits for real: it starts clean, and what it committed is deleted after."""
    _ensure_clean(engine)
    try:
        yield
    finally:
        _clean(engine)


def _refuse_other_connections(*_args: Any) -> None:
    raise RuntimeError(
        "this test's data is only in its rolled-back transaction, so another connection "
        "would not see it (on SQLite it would wait for the lock): mark the test "
        "@pytest.mark.committed"
    )


@contextmanager
def _rolled_back(engine: Engine, *others: Engine) -> Iterator[Connection]:
    """One connection in an outer transaction that is rolled back at the end.

    While it is open, taking another connection from these engines fails at once with a
    hint, instead of blocking on SQLite's write lock or missing the uncommitted rows.
    """
    _ensure_clean(engine)
    connection = engine.connect()
    outer = connection.begin()  # SQLite: the engine's BEGIN IMMEDIATE; SAVEPOINTs nest in it
    guarded = (engine, *others)
    for guarded_engine in guarded:
        event.listen(guarded_engine, "checkout", _refuse_other_connections)
    try:
        yield connection
    finally:
        for guarded_engine in guarded:
            event.remove(guarded_engine, "checkout", _refuse_other_connections)
        if outer.is_active:
            outer.rollback()
        connection.close()


def _savepoint_sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions like the app's, whose commit releases a savepoint of the connection."""
    return sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info=dict(SESSION_SETTINGS),
    )


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "PASSWORD_HASH_METHOD", FAST_PASSWORD_HASH)
        yield


@pytest.fixture
def session(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Session]:
    """The test's session: rolled back at the end (committing for real if marked committed)."""
    if _committed(request):
        with _committing(engine), make_session_factory(engine, SESSION_SETTINGS)() as s:
            yield s
        return
    with _rolled_back(engine) as connection, _savepoint_sessions(connection)() as s:
        yield s


@pytest.fixture
def make_user(session: Session) -> Any:
    def factory(
        email: str = "adviser@example.fi",
        role: str = "adviser",
        authority: str = "paijat-hame",
        teams: tuple[str, ...] = ("paijat-hame-employer-services",),
        languages: tuple[str, ...] = ("fi",),
    ) -> User:
        user = users.upsert_user(
            session,
            email=email,
            name=email.split("@")[0].title(),
            password=PASSWORD,
            role=role,
            authority=authority,
            teams=list(teams),
            languages=list(languages),
        )
        session.commit()
        return user

    return factory


def raw_submission(**changes: str) -> RawSubmission:
    """A valid request from an employer in Orimattila, changed as the test needs."""
    values = {
        "business_id": "0112038-9",
        "organisation_name": "Orimattilan Metalli Oy",
        "contact_name": "Teija Työnantaja",
        "email": "teija@example.fi",
        "phone": "+358 40 123 4567",
        "municipality": "560",
        "municipality_other": "",
        "need": "recruitment",
        "affected_employees": "",
        "description": "We need three welders from January.",
        "language": "fi",
    }
    values.update(changes)
    return RawSubmission(**values)


@pytest.fixture(scope="session")
def shared_app(
    sqlite_url: str, sqlite_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One Flask app for the run: building one (its OpenAPI document above all) takes 0.25 s."""
    root = tmp_path_factory.mktemp("app")
    application = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
            "BROKER_SQLITE_PATH": str(root / "broker.sqlite3"),
            "MAILCATCHER_DIR": str(root / "mail"),
            "ATTACHMENTS_DIR": str(root / "attachments"),
            "RATELIMIT_SQLITE_PATH": str(root / "ratelimits.sqlite3"),
            "WEBHOOK_ALLOW_HOSTS": SESSION_SETTINGS["WEBHOOK_ALLOW_HOSTS"],
        }
    )
    yield application
    application.extensions["desk.engine"].dispose()


@pytest.fixture
def app(
    request: pytest.FixtureRequest, shared_app: Flask, sqlite_engine: Engine, tmp_path: Path
) -> Iterator[Flask]:
    """The Flask app on the session's SQLite database, CSRF off (a test turns it on).

    The app is shared; what a test changes is put back: its configuration, the rate limits
    counted, and the sessions, which are bound to this test's rolled-back connection.
    """
    config = dict(shared_app.config)
    sessions = shared_app.extensions["desk.sessions"]
    try:
        shared_app.config["MAILCATCHER_DIR"] = str(tmp_path / "mail")
        limiter = shared_app.extensions["desk.limiter"]
        # Never wipe a shared Redis's counters; this run's own file or memory, yes.
        if isinstance(limiter.storage, MemoryStorage | SqliteRateLimitStorage):
            limiter.reset()
        if _committed(request):
            with _committing(sqlite_engine):
                yield shared_app
        else:
            app_engine = shared_app.extensions["desk.engine"]
            with _rolled_back(sqlite_engine, app_engine) as connection:
                shared_app.extensions["desk.sessions"] = _savepoint_sessions(connection)
                yield shared_app
    finally:
        shared_app.extensions["desk.sessions"] = sessions
        shared_app.config.clear()
        shared_app.config.update(config)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def app_session(app: Any) -> Iterator[Session]:
    """A session on the app's database, for arranging and checking state in web tests."""
    with app.extensions["desk.sessions"]() as s:
        yield s


@pytest.fixture
def staff(app_session: Session) -> Any:
    """Create a staff user on the app's database."""

    def factory(
        email: str,
        role: str = "adviser",
        authority: str = "paijat-hame",
        teams: tuple[str, ...] = ("paijat-hame-employer-services",),
    ) -> User:
        user = users.upsert_user(
            app_session,
            email=email,
            name=email.split("@")[0].title(),
            password=PASSWORD,
            role=role,
            authority=authority,
            teams=list(teams),
            languages=["fi"],
        )
        app_session.commit()
        return user

    return factory


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "committed: other connections or threads must see the test's data, so its session "
        "(or app) commits for real and the volatile tables are emptied after it",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` (--dist loadscope): modules stay whole, the browser tier is one unit."""
    if config.getvalue("dist") != "loadscope":
        return None
    from tests.support.scheduling import TierScheduling

    return TierScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (DESK_REQUIRE_ALL_TIERS=1) any skipped test fails the run: green means all ran."""
    from tests.support.tiers import strict

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if strict() and skipped and exitstatus == 0:
        reporter.write_line(
            f"FAILED: {skipped} test(s) skipped while every tier is required", red=True
        )
        session.exitstatus = 1
