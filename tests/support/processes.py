"""The desk's real processes for the integration and benchmark tiers, started by the tests.

A Celery worker (`celery -A workers.celery_app worker`) and beat run as subprocesses
configured through DESK_* environment variables, on a SQLite database in a temp directory
and on Redis: the shared test server under a per-run key prefix, or a redis-server the test
starts and stops itself. Mail goes to an aiosmtpd server and webhooks to an HTTP server on
127.0.0.1, both started by the test. Backoff, lease and relay interval are shortened through
configuration so that the whole tier stays well under a minute.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.app import create_app
from desk.models import OutboxMessage
from desk.services import reference_data, routing, schema
from tests.conftest import REFERENCE_FILE, ROUTING_FILE
from tests.support.services import free_port, redis_reachable, redis_url
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"
STARTUP_SECONDS = 30.0

# Short timings: a failed attempt is retried after 0.2-0.4 s, then 0.4-0.8 s, then at most 1 s;
# the fourth failure is final; a row being sent is handed over again after 3 s.
FAST = {
    "OUTBOX_RELAY_SECONDS": 0.5,
    "OUTBOX_BACKOFF_BASE_SECONDS": 0.4,
    "OUTBOX_BACKOFF_MAX_SECONDS": 1.0,
    "OUTBOX_MAX_ATTEMPTS": 4,
    "OUTBOX_REDISPATCH_AFTER_SECONDS": 3,
    "WEBHOOK_TIMEOUT_SECONDS": 0.5,
    # The tests' webhook receivers listen on this machine.
    "WEBHOOK_ALLOW_HOSTS": "127.0.0.1,localhost,.example.fi",
    "SMTP_TIMEOUT_SECONDS": 20,
}


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Poll until predicate() is truthy; fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


# Desks whose processes run now (for the failure reports of the tiers' conftest).
RUNNING: list[DeskProcesses] = []


@dataclass
class DeskProcesses:
    """One desk: its configuration, an in-process app on the same database, its processes."""

    root: Path
    settings: dict[str, Any]
    app: Flask
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ready_markers: dict[str, str] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    @property
    def smtp_port(self) -> int:
        return int(self.settings["SMTP_PORT"])

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
        env.update({f"DESK_{key}": str(value) for key, value in self.settings.items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def start(self, name: str, argv: list[str], ready: str) -> subprocess.Popen[bytes]:
        """Start a process logging to <name>.log; wait_ready() waits for its ready line."""
        with self.log(name).open("ab") as log:
            process = subprocess.Popen(
                argv, cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        self.ready_markers[name] = ready
        return process

    def wait_ready(self, *names: str) -> None:
        for name in names:
            wait_for(
                lambda name=name: self._ready(name, self.ready_markers[name]),
                STARTUP_SECONDS,
                f"{name} to be ready\n{self.tails()}",
            )

    def _ready(self, name: str, marker: str) -> bool:
        process = self.processes[name]
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}\n{self.tails()}")
        return marker in self.log(name).read_text(errors="replace")

    def start_worker(
        self, name: str = "worker", pool: str = "solo", wait: bool = True
    ) -> subprocess.Popen[bytes]:
        argv = [
            str(BIN / "celery"), "-A", "workers.celery_app", "worker", "--loglevel=INFO",
            f"--pool={pool}", "--concurrency=1", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-n", f"{name}@%h",
        ]  # fmt: skip
        process = self.start(name, argv, ready=" ready.")
        if wait:
            self.wait_ready(name)
        return process

    def start_beat(self, wait: bool = True) -> subprocess.Popen[bytes]:
        argv = [
            str(BIN / "celery"), "-A", "workers.celery_app", "beat", "--loglevel=INFO",
            "--schedule", str(self.root / "beat-schedule"),
        ]  # fmt: skip
        process = self.start("beat", argv, ready="beat: Starting")
        if wait:
            self.wait_ready("beat")
        return process

    def start_worker_and_beat(self, worker: str = "worker", pool: str = "solo") -> None:
        """Both at once (they start in parallel), then wait until both are ready."""
        self.start_worker(worker, pool, wait=False)
        self.start_beat(wait=False)
        self.wait_ready(worker, "beat")

    def kill(self, name: str) -> None:
        """SIGKILL one of our processes (no cleanup, no acknowledgement)."""
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        """Stop every process we started (warm shutdown, then SIGKILL after 5 s)."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 5
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def tails(self, lines: int = 40) -> str:
        parts = []
        for name in self.processes:
            text = self.log(name).read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"----- {name}.log -----")
            parts.extend(text)
        return "\n".join(parts)

    def session(self) -> Session:
        factory = self.app.extensions["desk.sessions"]
        session: Session = factory()
        return session

    def rows(self, kind: str | None = None) -> list[OutboxMessage]:
        with self.session() as session:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind:
                stmt = stmt.where(OutboxMessage.kind == kind)
            return list(session.scalars(stmt))

    def row(self, row_id: int) -> OutboxMessage:
        with self.session() as session:
            found = session.get(OutboxMessage, row_id)
            assert found is not None
            return found


def _tools() -> None:
    for tool in ("celery",):
        if not (BIN / tool).exists():
            unavailable(f"{BIN / tool} missing (run `make install`)")


@contextmanager
def desk_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., DeskProcesses]]:
    """Build desks (database migrated, reference data loaded); their processes stop at exit."""
    _tools()
    made: list[DeskProcesses] = []

    def factory(**settings: Any) -> DeskProcesses:
        root = tmp_path_factory.mktemp("desk")
        config: dict[str, Any] = {
            "ENV": "development",
            "SECRET_KEY_FILE": str(root / "secret_key"),
            "RATELIMIT_SQLITE_PATH": str(root / "ratelimits.sqlite3"),
            "DATABASE_URL": f"sqlite:///{root / 'desk.sqlite3'}",
            "BROKER_SQLITE_PATH": str(root / "broker.sqlite3"),
            "MAILCATCHER_DIR": str(root / "mail"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": free_port(),
            "BASE_URL": "http://desk.test",
            **FAST,
            **settings,
        }
        schema.upgrade(config["DATABASE_URL"])
        app = create_app(config)
        with app.extensions["desk.sessions"]() as session:
            reference_data.load_reference_data(session, REFERENCE_FILE)
            routing.seed_rules(session, ROUTING_FILE)
        desk = DeskProcesses(root=root, settings=config, app=app)
        made.append(desk)
        RUNNING.append(desk)
        return desk

    try:
        yield factory
    finally:
        for desk in made:
            desk.stop_all()
            desk.app.extensions["desk.engine"].dispose()
            RUNNING.remove(desk)


@dataclass
class OwnRedis:
    """A redis-server this test starts, stops and starts again (never the shared one)."""

    port: int
    root: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.root),
        ]  # fmt: skip
        with (self.root / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._pings(client), 10, "redis-server to answer")

    @staticmethod
    def _pings(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def redis_settings(prefix: str) -> dict[str, str]:
    """The shared test Redis under a key prefix (the caller checked it is reachable)."""
    return {"REDIS_URL": redis_url(), "REDIS_KEY_PREFIX": prefix}


def require_redis() -> None:
    problem = redis_reachable()
    if problem:
        unavailable(problem)
