"""The browser tier: the real desk (gunicorn, Celery worker and beat, SMTP catcher) per run.

One session-scoped stack is started the way `make run` starts it, but isolated in a temp
directory: its own SQLite database, broker file, mail directory and free ports. Nothing is
mocked; the worker really sends mail through the outbox relay that beat really schedules.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.support.services import free_port
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"
CHROMIUM = os.environ.get("DESK_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS_DIR = Path(os.environ.get("DESK_E2E_SHOTS_DIR", "/tmp/shots"))
STARTUP_SECONDS = 45.0
LOG_TAIL_LINES = 60


@dataclass
class Stack:
    """The running desk: where to reach it and where its processes write."""

    base_url: str
    smtp_port: int
    root: Path
    mail_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_path(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tails(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of every process log, for failure reports."""
        parts = []
        for name in ["setup", *self.processes]:
            path = self.log_path(name)
            if not path.exists():
                continue
            text = path.read_text(errors="replace").splitlines()[-lines:]
            process = self.processes.get(name)
            state = ""
            if process is not None and process.poll() is not None:
                state = f" (exited with {process.returncode})"
            parts.append(f"----- {name}.log{state}: last {len(text)} lines -----")
            parts.extend(text)
        return "\n".join(parts)


_running: list[Stack] = []


def _environment(stack_root: Path, web_port: int, smtp_port: int) -> dict[str, str]:
    # Drop any DESK_* of the caller's shell (a Redis URL, a config file...): this stack is
    # configured from scratch so it cannot touch a developer's instance/ or shared services.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(
        DESK_ENV="development",
        DESK_SECRET_KEY_FILE=str(stack_root / "secret_key"),
        DESK_RATELIMIT_SQLITE_PATH=str(stack_root / "ratelimits.sqlite3"),
        DESK_DATABASE_URL=f"sqlite:///{stack_root / 'desk.sqlite3'}",
        DESK_REDIS_URL="",
        DESK_BROKER_SQLITE_PATH=str(stack_root / "broker.sqlite3"),
        DESK_MAILCATCHER_DIR=str(stack_root / "mail"),
        DESK_ATTACHMENTS_DIR=str(stack_root / "attachments"),
        DESK_SMTP_HOST="127.0.0.1",
        DESK_SMTP_PORT=str(smtp_port),
        DESK_BASE_URL=f"http://127.0.0.1:{web_port}",
        DESK_OUTBOX_RELAY_SECONDS="0.5",
        DESK_DEV_MAIL_PAGE="true",
        # Many tests share this stack and submit the public forms; the limit has its own tests.
        DESK_PUBLIC_FORM_RATE_LIMIT="10000 per minute",
        # The webhook receiver of the notification tests listens on this machine.
        DESK_WEBHOOK_ALLOW_HOSTS="127.0.0.1",
        DESK_STAFF_LOGIN_RATE_LIMIT="10000 per minute",
        DESK_PORTAL_SIGN_IN_RATE_LIMIT="10000 per minute",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(stack: Stack, name: str, argv: list[str], env: dict[str, str]) -> None:
    log = stack.log_path(name).open("wb")
    try:
        stack.processes[name] = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    finally:
        log.close()  # the child holds its own descriptor


def _stop(stack: Stack) -> None:
    """Terminate exactly the processes this fixture started, newest first."""
    for process in reversed(list(stack.processes.values())):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in reversed(list(stack.processes.values())):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _port_open(port: int) -> bool:
    with closing(socket.socket()) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _worker_ready(stack: Stack) -> bool:
    path = stack.log_path("worker")
    return path.exists() and " ready." in path.read_text(errors="replace")


def _wait_until(stack: Stack, what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        dead = {n: p.returncode for n, p in stack.processes.items() if p.poll() is not None}
        if dead:
            pytest.fail(f"desk process exited early {dead}\n{stack.log_tails()}", pytrace=False)
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} not ready in {STARTUP_SECONDS:.0f} s\n{stack.log_tails()}", pytrace=False)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium; the tier is unavailable (skip locally, fail in CI) without it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        unavailable(f"playwright / axe-playwright-python not installed: {exc}")
    return CHROMIUM


@pytest.fixture(scope="session")
def desk_stack(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Set up a fresh database and run mail catcher, web, worker and beat until the end."""
    for tool in ("desk", "gunicorn", "celery"):
        if not (BIN / tool).exists():
            unavailable(f"{BIN / tool} missing (run `make install`)")
    root = tmp_path_factory.mktemp("desk-stack")
    web_port, smtp_port = free_port(), free_port()
    while smtp_port == web_port:
        smtp_port = free_port()
    env = _environment(root, web_port, smtp_port)
    stack = Stack(
        base_url=env["DESK_BASE_URL"], smtp_port=smtp_port, root=root, mail_dir=root / "mail"
    )
    _running.append(stack)

    with stack.log_path("setup").open("wb") as log:
        done = subprocess.run(
            [str(BIN / "desk"), "setup"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=120,
        )
    if done.returncode != 0:
        pytest.fail(f"`desk setup` failed\n{stack.log_tails()}", pytrace=False)

    try:
        _start(stack, "mail", [str(BIN / "desk"), "mailcatcher", "--port", str(smtp_port)], env)
        _start(
            stack,
            "web",
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "desk.app:create_app()",
            ],
            env,
        )
        _start(
            stack,
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "workers.celery_app",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
        )
        # Beat only once the worker has declared its queues: on the SQLite broker both
        # creating kombu_queue rows at once makes one fail on the unique name, and beat's
        # session then stays rolled back, so no outbox relay ever runs (seen under load).
        _wait_until(stack, "celery worker", lambda: _worker_ready(stack))
        _start(
            stack,
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "workers.celery_app",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(root / "beat-schedule"),
            ],
            env,
        )
        _wait_until(stack, "mail catcher", lambda: _port_open(smtp_port))
        _wait_until(stack, "web /readyz", lambda: _ready(stack.url("/readyz")))
        yield stack
    finally:
        _stop(stack)
        _running.remove(stack)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless system Chromium for the run."""
    from playwright.sync_api import expect, sync_playwright

    # Pages are fast here; the margin is for a loaded CI machine, not for slow code.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _context(browser: Any, stack: Stack, **options: Any) -> Any:
    # English UI: English is the source language (no catalogue), so assertions on visible
    # text hold whatever the Finnish and Swedish catalogues say.
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=stack.base_url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="session")
def staff_sessions(browser: Any, desk_stack: Stack) -> Callable[[str], dict[str, Any]]:
    """The cookies of a staff user signed in once through /login, reused by later tests."""
    from tests.e2e.helpers import sign_in

    states: dict[str, dict[str, Any]] = {}

    def signed_in(email: str) -> dict[str, Any]:
        if email not in states:
            context = _context(browser, desk_stack)
            try:
                sign_in(context.new_page(), email)
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]

    return signed_in


@pytest.fixture
def new_page(
    browser: Any, desk_stack: Stack, staff_sessions: Callable[[str], dict[str, Any]]
) -> Iterator[Callable[..., Any]]:
    """A page in a fresh browser context (one person, one browser), optionally signed in."""
    contexts: list[Any] = []

    def factory(signed_in_as: str | None = None, **options: Any) -> Any:
        if signed_in_as:
            options["storage_state"] = staff_sessions(signed_in_as)
        context = _context(browser, desk_stack, **options)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """Where page screenshots go (not committed; look at them after a run)."""
    shutil.rmtree(SHOTS_DIR, ignore_errors=True)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, attach the tails of the desk's process logs to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _running:
        report.sections.append(("desk process logs", _running[-1].log_tails()))


@pytest.fixture
def live(app: Any) -> Iterator[str]:
    """The test's own app (its rolled-back database) served on a free port, in a thread:
    for browser tests that arrange their data with app_session instead of the full stack."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
