"""`make bench`: every workload of the desk beside its baseline, interleaved, in one run.

python -m bench.run [--scale smoke|full] [--cases N] [--keep]

Starts on 127.0.0.1, on free ports: an SMTP sink (aiosmtpd, counting only), gunicorn with the
production settings (2 workers) serving the desk, a second gunicorn serving the bare
baseline (bench/bare_app.py), a Celery worker (2 processes) and beat. PostgreSQL is
DESK_BENCH_DATABASE_URL, else a fresh database created on 127.0.0.1:5432 and dropped after
(unless --keep); Redis is DESK_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0, under a
key prefix of its own). The load generator is wrk (bench/wrk/*.lua). Results go to
bench/results.json and bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PASSWORD = "demo-desk-2026"  # config/demo_users.toml
ADVISER = "adviser.lahti@desk.invalid"
MANAGER = "manager.lahti@desk.invalid"
ADMIN = "admin@desk.invalid"
TEAM = "lahti-employer-services"


@dataclass(frozen=True)
class Scale:
    cases: int
    seconds: int  # wrk duration of one run
    runs: int
    emails: int
    sweep_due: int
    queue_page: int  # the deep page of the list workloads
    sql_repeats: int


SCALES = {
    "smoke": Scale(
        cases=2_000, seconds=1, runs=3, emails=100, sweep_due=50, queue_page=5, sql_repeats=20
    ),
    "full": Scale(
        cases=1_000_000,
        seconds=20,
        runs=3,
        emails=10_000,
        sweep_due=1_000,
        queue_page=500,
        sql_repeats=200,
    ),
}

SUBMISSION = {
    "business_id": "0112038-9",
    "organisation_name": "Orimattilan Metalli Oy",
    "contact_name": "Teija Työnantaja",
    "email": "teija@example.fi",
    "phone": "+358 40 123 4567",
    "municipality": "560",
    "need": "recruitment",
    "description": "Tarvitsemme kolme hitsaajaa tammikuusta alkaen.",
    "language": "fi",
}


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def summary(values: list[float | None]) -> dict[str, float] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the database -----------------------------------------------------------------------------


@contextlib.contextmanager
def database(keep: bool) -> Iterator[str]:
    """The bench database URL: DESK_BENCH_DATABASE_URL, else a fresh one dropped after."""
    given = os.environ.get("DESK_BENCH_DATABASE_URL")
    if given:
        yield given
        return
    name = f"desk_bench_{os.getpid()}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        if keep:
            log(f"kept database {name}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- processes ------------------------------------------------------------------------------


class SmtpSink:
    """A local SMTP server that counts what it receives and stores nothing."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                with sink._lock:
                    sink.count += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Stack:
    env: dict[str, str]
    workdir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], port: int | None = None) -> None:
        logfile = (self.workdir / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if port is not None:
            self.ports[name] = port
            wait_port(port)

    def gunicorn(self, name: str, app: str) -> None:
        port = free_port()
        # The production settings of Procfile, without the access log (a file write per
        # request that the load would measure instead of the desk).
        self.start(
            name,
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", app],
            port,
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def children(self, name: str) -> list[int]:
        """The worker processes of a master (gunicorn, Celery prefork), or the process itself."""
        pid = self.procs[name].pid
        path = Path(f"/proc/{pid}/task/{pid}/children")
        kids = [int(p) for p in path.read_text().split()] if path.exists() else []
        return kids or [pid]


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# A fixed key of the benchmark's own throw-away stack (never a deployment's).
BENCH_SECRET_KEY = "bench-" + "x" * 40  # pragma: allowlist secret


def desk_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "desk"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"desk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- load -----------------------------------------------------------------------------------


def wrk(
    url: str,
    script: str,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """One bounded wrk run against 127.0.0.1; requests/s, latency percentiles, errors."""
    assert url.startswith("http://127.0.0.1:")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write((BENCH / "wrk" / script).read_text())
        fh.write((BENCH / "wrk" / "report.lua").read_text())
        path = fh.name
    argv = [
        "wrk",
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        path,
    ]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    env = {**os.environ, "BENCH_BODY": body or ""}
    try:
        done = subprocess.run(
            [*argv, url], capture_output=True, text=True, env=env, timeout=seconds + 60
        )
    finally:
        os.unlink(path)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("BENCH_JSON ") :])
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        # No request completed in the time: no latency to report (wrk says 0).
        "p50_ms": round(raw["p50_us"] / 1000, 2) if raw["requests"] else None,
        "p95_ms": round(raw["p95_us"] / 1000, 2) if raw["requests"] else None,
        "p99_ms": round(raw["p99_us"] / 1000, 2) if raw["requests"] else None,
        "errors": errors,
        "non_2xx_3xx": raw["status"],
    }


class _LoopbackPolicy(DefaultCookiePolicy):
    """Send the desk's Secure cookies (production settings) over plain http to 127.0.0.1:
    the benchmark measures the desk, not a TLS proxy in front of it."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


def cookie_jar() -> CookieJar:
    return CookieJar(_LoopbackPolicy())


class Browser:
    """A signed-in staff session (cookie) for the HTML pages, over urllib."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.jar = cookie_jar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login")
        token = csrf(page)
        data = urllib.parse.urlencode(
            {"csrf_token": token, "email": email, "password": PASSWORD}
        ).encode()
        self.opener.open(urllib.request.Request(base + "/login", data=data), timeout=30).read()
        if "session" not in self.cookie():
            raise RuntimeError(f"could not sign in as {email}")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return str(response.read().decode("utf-8"))

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def timed(call: Callable[[], Any], repeats: int) -> dict[str, float]:
    """p50/p95 in ms of repeated calls (in-process baselines and one-shot workloads)."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "rps": round(repeats / sum(seconds), 1),
    }


# --- the benchmark --------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        scale: Scale,
        url: str,
        redis_url: str,
        workdir: Path,
        out: Path,
        profile: tuple[str, ...] = (),
    ) -> None:
        self.scale = scale
        self.out = out
        self.profile = profile
        self.url = url
        self.sql = psycopg.connect(pg_url(url), autocommit=True)
        self.sink = SmtpSink()
        self.env = {
            **os.environ,
            # The CLI steps (setup with its demo staff, seeding) run in development mode;
            # start() switches the served stack to production with the same key.
            "DESK_ENV": "development",
            "DESK_SECRET_KEY": BENCH_SECRET_KEY,
            "DESK_DATABASE_URL": url,
            "DESK_REDIS_URL": redis_url,
            "DESK_REDIS_KEY_PREFIX": f"bench{os.getpid()}:",
            "DESK_SMTP_HOST": "127.0.0.1",
            "DESK_SMTP_PORT": str(self.sink.port),
            "DESK_RATELIMIT_ENABLED": "false",
            "DESK_OUTBOX_RELAY_SECONDS": "0.5",
            "DESK_OUTBOX_BATCH_SIZE": "1000",
            "DESK_SLA_SWEEP_SECONDS": "3600",  # the benchmark runs the sweep itself
            "DESK_ATTACHMENTS_DIR": str(workdir / "attachments"),
            "DESK_MAILCATCHER_DIR": str(workdir / "mail"),
            "PYTHONUNBUFFERED": "1",
        }
        self.stack = Stack(dict(self.env), workdir)
        self.results: dict[str, Any] = {}

    # setup

    def prepare(self) -> None:
        log("setup: migrate, reference data, demo staff")
        desk_cli(self.env, "setup", "--no-demo-cases")
        log(f"seeding {self.scale.cases:,} cases")
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "desk"), "seed", "bench", "--cases", str(self.scale.cases)],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.results["seed"] = {
            "cases": self.scale.cases,
            "seconds": round(time.monotonic() - started, 1),
            "open": self.scalar("SELECT count(*) FROM cases WHERE resolved_at IS NULL"),
            "messages": self.scalar("SELECT count(*) FROM case_messages"),
            "events": self.scalar("SELECT count(*) FROM case_events"),
        }
        self.sql.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body text, "
            "created_at timestamptz DEFAULT now())"
        )
        self.api_token = self.make_token()

    def make_token(self) -> str:
        from sqlalchemy import select

        from desk.config import load_config, session_settings
        from desk.db import make_engine, make_session_factory, session_scope
        from desk.models import User
        from desk.services import api_tokens
        from desk.services.access import Actor, Channel

        config = load_config({"DATABASE_URL": self.url}, environ=self.env)
        engine = make_engine(config["DATABASE_URL"])
        try:
            with session_scope(make_session_factory(engine, session_settings(config))) as s:
                admin = s.scalars(select(User).where(User.email == ADMIN)).one()
                adviser = s.scalars(select(User).where(User.email == ADVISER)).one()
                new = api_tokens.create_token(
                    s, Actor.staff(admin, Channel.CLI), adviser.id, "bench", ["read"]
                )
                s.commit()
                return new.secret
        finally:
            engine.dispose()

    def start(self) -> None:
        production = {
            "DESK_ENV": "production",
            "DESK_SECRET_KEY": BENCH_SECRET_KEY,
        }
        self.stack.env.update(production)
        log("starting gunicorn (desk, bare), Celery worker and beat")
        self.stack.gunicorn("desk", "desk.app:create_app()")
        self.stack.gunicorn("bare", "bench.bare_app:app")
        celery = str(BIN / "celery")
        self.stack.start(
            "worker",
            [celery, "-A", "workers.celery_app", "worker", "--loglevel=WARNING", "--concurrency=2"],
        )
        self.stack.start(
            "beat",
            [
                celery,
                "-A",
                "workers.celery_app",
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(self.stack.workdir / "beat-schedule"),
            ],
        )
        self.desk = f"http://127.0.0.1:{self.stack.ports['desk']}"
        self.bare = f"http://127.0.0.1:{self.stack.ports['bare']}"
        self.adviser = Browser(self.desk, ADVISER)
        self.manager = Browser(self.desk, MANAGER)

    def scalar(self, sql: str, *params: Any) -> Any:
        row = self.sql.execute(sql, params or None).fetchone()
        return row[0] if row else None

    # workloads: each returns {"subject": figures, "baseline": figures} for one run

    def intake_api(self, connections: int) -> dict[str, Any]:
        body = json.dumps(SUBMISSION)
        before = self.scalar("SELECT coalesce(max(id), 0) FROM cases")
        subject = wrk(
            self.desk + "/api/v1/cases", "post_json.lua", self.scale.seconds, connections, body=body
        )
        subject["check"] = self.check_intake(before, subject)
        baseline = wrk(self.bare + "/", "post_json.lua", self.scale.seconds, connections, body=body)
        return {"subject": subject, "baseline": baseline}

    def intake_form(self, connections: int) -> dict[str, Any]:
        page = self.employer_form()
        body = urllib.parse.urlencode(
            {
                **SUBMISSION,
                "csrf_token": page["token"],
                "municipality_other": "",
                "affected_employees": "",
            }
        )
        before = self.scalar("SELECT coalesce(max(id), 0) FROM cases")
        subject = wrk(
            self.desk + "/request",
            "post_form.lua",
            self.scale.seconds,
            connections,
            headers={"Cookie": page["cookie"]},
            body=body,
        )
        subject["check"] = self.check_intake(before, subject)
        baseline = wrk(self.bare + "/", "post_form.lua", self.scale.seconds, connections, body=body)
        return {"subject": subject, "baseline": baseline}

    def employer_form(self) -> dict[str, str]:
        jar = cookie_jar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(self.desk + "/request", timeout=30) as response:
            token = csrf(response.read().decode("utf-8"))
        return {"token": token, "cookie": "; ".join(f"{c.name}={c.value}" for c in jar)}

    def check_intake(self, before: int, figures: dict[str, Any]) -> dict[str, Any]:
        """Every accepted request made exactly one case and one confirmation outbox row."""
        # One statement, one snapshot: a request cut at wrk's end may commit between two.
        made, outbox = self.sql.execute(
            "SELECT (SELECT count(*) FROM cases WHERE id > %s),"
            " (SELECT count(*) FROM outbox WHERE kind = 'email.case_received' AND case_id > %s)",
            (before, before),
        ).fetchone() or (0, 0)
        ok = figures["requests"] - figures["non_2xx_3xx"]
        # wrk counts only completed responses; a request cut at the end may still commit.
        return {
            "cases": made,
            "outbox": outbox,
            "accepted": ok,
            "one_each": made == outbox and 0 <= made - ok <= 64,
        }

    def queue_page(self, deep: bool) -> dict[str, Any]:
        path = self.queue_deep_path if deep else "/staff/"
        subject = wrk(
            self.desk + path,
            "get.lua",
            self.scale.seconds,
            4,
            headers={"Cookie": self.adviser.cookie()},
        )
        baseline = timed(
            lambda: self.sql.execute(*self.queue_sql(deep)).fetchall(), self.scale.sql_repeats
        )
        return {"subject": subject, "baseline": baseline}

    def api_list(self, deep: bool) -> dict[str, Any]:
        path = self.api_deep_path if deep else f"/api/v1/staff/teams/{TEAM}/cases?limit=25"
        subject = wrk(
            self.desk + path,
            "get.lua",
            self.scale.seconds,
            4,
            headers={"Authorization": f"Bearer {self.api_token}"},
        )
        baseline = timed(
            lambda: self.sql.execute(*self.api_sql(deep)).fetchall(), self.scale.sql_repeats
        )
        return {"subject": subject, "baseline": baseline}

    def find_deep_pages(self) -> None:
        """Walk to page N of the queue and of the API list once (keyset cursors)."""
        path = "/staff/"
        self.queue_depth = 1
        for _ in range(self.scale.queue_page - 1):
            page = self.adviser.get(path)
            found = re.search(r'rel="next" href="([^"]+)"', page)
            if not found:
                break
            path = found.group(1).replace("&amp;", "&")
            self.queue_depth += 1
        self.queue_deep_path = path
        path = f"/api/v1/staff/teams/{TEAM}/cases?limit=25"
        self.api_depth = 1
        headers = {"Authorization": f"Bearer {self.api_token}"}
        for _ in range(self.scale.queue_page - 1):
            request = urllib.request.Request(self.desk + path, headers=headers)
            with urllib.request.urlopen(request, timeout=120) as response:
                cursor = json.loads(response.read()).get("next_cursor")
            if not cursor:
                break
            path = f"/api/v1/staff/teams/{TEAM}/cases?limit=25&cursor={urllib.parse.quote(cursor)}"
            self.api_depth += 1
        self.api_deep_path = path
        self.team_ids = [
            r[0]
            for r in self.sql.execute(
                "SELECT t.id FROM teams t JOIN team_members m ON m.team_id = t.id "
                "JOIN users u ON u.id = m.user_id WHERE u.email = %s",
                (ADVISER,),
            ).fetchall()
        ]
        self.team_id = self.scalar("SELECT id FROM teams WHERE slug = %s", TEAM)

    def warm_up(self) -> None:
        """A few unmeasured requests of each kind, so each gunicorn worker has built its
        per-process copies (reference data, calendars' indexes) before the first run."""
        log("warming up")
        headers = {"Content-Type": "application/json"}
        for _ in range(4):
            request = urllib.request.Request(
                self.desk + "/api/v1/cases",
                data=json.dumps(SUBMISSION).encode(),
                headers=headers,
            )
            urllib.request.urlopen(request, timeout=120).read()
            self.adviser.get("/staff/")
            self.adviser.get("/staff/search?q=hitsaajaa")

    def queue_sql(self, deep: bool) -> tuple[str, tuple[Any, ...]]:
        # The `next` queue: open cases of the adviser's teams, nearest due first, 25 a page.
        offset = 25 * (self.queue_depth - 1) if deep else 0
        return (
            "SELECT c.id, c.reference, c.organisation_name, c.status, c.sla_due_at, "
            "c.sla_warn_at, c.created_at, n.name_fi, t.name_fi FROM cases c "
            "JOIN needs n ON n.code = c.need_code JOIN teams t ON t.id = c.team_id "
            "WHERE c.team_id = ANY(%s) AND c.status IN ('new', 'open', 'waiting') "
            "ORDER BY c.sla_due_at, c.id LIMIT 25 OFFSET %s",
            (self.team_ids, offset),
        )

    def api_sql(self, deep: bool) -> tuple[str, tuple[Any, ...]]:
        offset = 25 * (self.api_depth - 1) if deep else 0
        return (
            "SELECT c.id, c.reference, c.organisation_name, c.status, c.need_code, "
            "c.created_at, c.sla_due_at FROM cases c WHERE c.team_id = %s "
            "ORDER BY c.created_at, c.id LIMIT 25 OFFSET %s",
            (self.team_id, offset),
        )

    def search(self) -> dict[str, Any]:
        subject = wrk(
            self.desk + "/staff/search?q=hitsaajaa",
            "get.lua",
            self.scale.seconds,
            4,
            headers={"Cookie": self.adviser.cookie()},
        )
        return {"subject": subject}

    def sweep(self, run: int) -> dict[str, Any]:
        """Arm sweep_due open cases (a fresh set each run) and time one sweep in-process."""
        from desk.services import sla

        due = self.scale.sweep_due
        self.sql.execute(
            "UPDATE cases SET sla_next_check_at = now() - interval '1 minute' WHERE id IN ("
            "SELECT id FROM cases WHERE status IN ('new', 'open', 'waiting') "
            "AND sla_next_check_at > now() ORDER BY id LIMIT %s)",
            (due,),
        )
        with self.session() as session:
            started = time.perf_counter()
            result = sla.sweep(session)
            seconds = time.perf_counter() - started
        with self.session() as session:
            started = time.perf_counter()
            sla.sweep(session)
            idle = time.perf_counter() - started
        return {
            "subject": {
                "seconds": round(seconds, 3),
                "cases": result.cases,
                "open": self.scalar(
                    "SELECT count(*) FROM cases WHERE status IN ('new', 'open', 'waiting')"
                ),
                "zero_due_seconds": round(idle, 3),
            }
        }

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        from desk.config import load_config, session_settings
        from desk.db import make_engine, make_session_factory, session_scope

        if not hasattr(self, "_factory"):
            config = load_config({"DATABASE_URL": self.url}, environ=self.env)
            self._engine = make_engine(config["DATABASE_URL"])
            self._factory = make_session_factory(self._engine, session_settings(config))
        with session_scope(self._factory) as session:
            yield session

    def report(self) -> dict[str, Any]:
        to = datetime.now(UTC).date()
        start = to - timedelta(days=365)
        cli = self.env | {"DESK_ENV": "development"}

        def command() -> None:
            desk_cli(
                cli, "report", "sla", "--from", start.isoformat(), "--to", to.isoformat(), "--json"
            )

        def in_process() -> None:
            from desk.services.access import Actor, Channel
            from desk.services.reports.sla_report import sla_report

            with self.session() as session:
                sla_report(session, Actor.system(Channel.CLI), start, to, None)

        query = f"/reports?from={start.isoformat()}&to={to.isoformat()}"
        return {
            "subject": {
                "cli": timed(command, 1),
                "service": timed(in_process, 1),
                "dashboard": timed(lambda: self.manager.get(query), 1),
            },
            "baseline": timed(lambda: self.sql.execute(*self.report_sql(start, to)).fetchall(), 1),
        }

    def report_sql(self, start: date, to: date) -> tuple[str, tuple[Any, ...]]:
        # The same figures by hand: received per team; met/breached and median/p90 minutes
        # per team and target, of the targets met in the period.
        lo = datetime.combine(start, datetime.min.time(), UTC)
        hi = datetime.combine(to + timedelta(days=1), datetime.min.time(), UTC)
        return (
            "WITH received AS (SELECT team_id, count(*) AS n FROM cases WHERE created_at >= %s "
            "AND created_at < %s GROUP BY team_id), targets AS (SELECT c.team_id, t.target, "
            "count(*) FILTER (WHERE t.met_at <= t.due_at) AS met, count(*) FILTER (WHERE "
            "t.met_at > t.due_at) AS breached, percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            "t.elapsed_minutes) AS median, percentile_cont(0.9) WITHIN GROUP (ORDER BY "
            "t.elapsed_minutes) AS p90 FROM case_sla_targets t JOIN cases c ON c.id = t.case_id "
            "WHERE t.met_at >= %s AND t.met_at < %s GROUP BY c.team_id, t.target) "
            "SELECT * FROM received r FULL JOIN targets t USING (team_id)",
            (lo, hi, lo, hi),
        )

    def notifications(self) -> dict[str, Any]:
        count = self.scale.emails
        case_id = self.scalar("SELECT max(id) FROM cases")
        self.drain_outbox()
        before = self.sink.count
        started = time.monotonic()
        self.sql.execute(
            "INSERT INTO outbox (kind, payload, case_id, status, attempts, created_at, "
            "next_attempt_at, last_error) SELECT 'email.case_received', "
            "json_build_object('case_id', %s::int), %s::int, 'pending', 0, now(), now(), '' "
            "FROM generate_series(1, %s)",
            (case_id, case_id, count),
        )
        deadline = started + 60 + count / 5
        while self.sink.count - before < count and time.monotonic() < deadline:
            time.sleep(0.05)
        seconds = time.monotonic() - started
        delivered = self.sink.count - before
        subject = {
            "emails": delivered,
            "seconds": round(seconds, 2),
            "per_second": round(delivered / seconds, 1),
        }
        baseline = self.smtplib_loop(count)
        return {"subject": subject, "baseline": baseline}

    def drain_outbox(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pending = self.scalar(
                "SELECT count(*) FROM outbox WHERE status NOT IN "
                "('delivered', 'suppressed', 'dead', 'discarded')"
            )
            if not pending:
                return
            time.sleep(0.2)

    def smtplib_loop(self, count: int) -> dict[str, Any]:
        message = EmailMessage()
        message["From"] = "bench@desk.invalid"
        message["To"] = "teija@example.fi"
        message["Subject"] = "Pyyntösi on vastaanotettu / Your request was received"
        message.set_content("Hei,\n\nkiitos yhteydenotosta.\n" * 20)
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", self.sink.port) as smtp:
            for _ in range(count):
                smtp.send_message(message)
        seconds = time.monotonic() - started
        return {
            "emails": count,
            "seconds": round(seconds, 2),
            "per_second": round(count / seconds, 1),
        }

    def memory(self) -> dict[str, Any]:
        return {
            name: [peak_rss_mb(pid) for pid in self.stack.children(name)]
            for name in ("desk", "worker", "bare")
        }

    # the run

    def run(self) -> None:
        self.prepare()
        self.start()
        self.find_deep_pages()
        self.warm_up()
        workloads: dict[str, Callable[[int], dict[str, Any]]] = {
            "intake_api_c4": lambda _r: self.intake_api(4),
            "intake_api_c32": lambda _r: self.intake_api(32),
            "intake_form_c4": lambda _r: self.intake_form(4),
            "intake_form_c32": lambda _r: self.intake_form(32),
            "queue_page_1": lambda _r: self.queue_page(False),
            "queue_page_deep": lambda _r: self.queue_page(True),
            "api_list_page_1": lambda _r: self.api_list(False),
            "api_list_page_deep": lambda _r: self.api_list(True),
            "search": lambda _r: self.search(),
            "sla_sweep": self.sweep,
            "sla_report_one_year": lambda _r: self.report(),
            "notifications": lambda _r: self.notifications(),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in workloads}
        for run in range(self.scale.runs):
            for name, workload in workloads.items():
                log(f"run {run + 1}/{self.scale.runs}: {name}")
                with self.profiled(name if run == 0 else ""):
                    runs[name].append(workload(run))
        self.results["workloads"] = {name: summarise(name, r) for name, r in runs.items()}
        self.results["deep_pages"] = {"queue": self.queue_depth, "api_list": self.api_depth}
        self.results["peak_rss_mb"] = self.memory()
        self.results["checks"] = {
            name: all(r["subject"].get("check", {}).get("one_each", True) for r in result)
            and all(r["subject"].get("errors", 0) == 0 for r in result)
            for name, result in runs.items()
        }

    @contextlib.contextmanager
    def profiled(self, name: str) -> Iterator[None]:
        """py-spy on the processes that serve the workload, while it runs (--profile NAME)."""
        if name not in self.profile:
            yield
            return
        target = "worker" if name == "notifications" else "desk"
        out = self.out / f"profile-{name}.txt"
        spy = subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                str(self.stack.procs[target].pid),
                "--subprocesses",
                "--rate",
                "50",
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
            if out.exists():
                self.results.setdefault("profiles", {})[name] = top_frames(out)

    def close(self) -> None:
        self.stack.stop()
        self.sink.stop()
        self.sql.close()
        if hasattr(self, "_engine"):
            self._engine.dispose()


def top_frames(path: Path, limit: int = 25) -> list[str]:
    """The desk's own frames with the largest share of samples (inclusive), from raw py-spy."""
    total = 0
    inclusive: dict[str, int] = {}
    for line in path.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")):
            if "(desk/" in frame or "(workers/" in frame:
                inclusive[frame] = inclusive.get(frame, 0) + int(count)
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])[:limit]
    return [f"{100 * n / total:5.1f}% {frame}" for frame, n in ranked] if total else []


# Which figure of a run is the workload's measure, and whether higher is better.
def measure(name: str, figures: dict[str, Any]) -> tuple[float, str]:
    if name.startswith("intake"):
        return figures["rps"], "req/s"
    if name == "sla_sweep":
        return figures["seconds"], "s"
    if name == "notifications":
        return figures["per_second"], "emails/s"
    if name == "sla_report_one_year":
        return figures["service"]["p50_ms"] if "service" in figures else figures["p50_ms"], "ms"
    return figures["p50_ms"], "ms p50"


def summarise(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    subject = [measure(name, r["subject"])[0] for r in runs]
    out: dict[str, Any] = {
        "unit": measure(name, runs[0]["subject"])[1],
        "subject": summary(subject),
        "runs": runs,
    }
    if "p95_ms" in runs[0]["subject"]:
        out["subject_p95_ms"] = summary([r["subject"]["p95_ms"] for r in runs])
    if all("baseline" in r for r in runs):
        baseline = [measure(name, r["baseline"])[0] for r in runs]
        out["baseline"] = summary(baseline)
        # The ratio of each run's pair (interleaved), subject / baseline.
        ratios: list[float | None] = [
            s / b for s, b in zip(subject, baseline, strict=True) if s is not None and b
        ]
        if ratios:
            out["ratio"] = summary(ratios)
    if name == "sla_report_one_year":
        # The command (a process of its own: start-up included) and the dashboard page.
        for part in ("cli", "dashboard"):
            values = [r["subject"][part]["p50_ms"] for r in runs]
            out[part] = summary(values)
            out[f"{part}_ratio"] = summary(
                [v / r["baseline"]["p50_ms"] for v, r in zip(values, runs, strict=True)]
            )
    return out


# --- output ---------------------------------------------------------------------------------

TARGETS = {
    "intake": "≥ 0.5 × bare (req/s ratio)",
    "queue_page": "p95 ≤ 50 ms; ≤ 3 × raw SQL",
    "api_list": "p95 ≤ 50 ms; ≤ 3 × raw SQL",
    "search": "p95 ≤ 200 ms",
    "sla_sweep": "≤ 0.5 s",
    "sla_report_one_year": "≤ 1 s; ≤ 1.5 × SQL",
    "notifications": "≥ 0.5 × smtplib loop",
}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark results ({results['scale']})",
        "",
        f"- Date: {results['date']}",
        f"- Command: `{results['command']}`",
        f"- Machine: {results['machine']}",
        f"- Seed: {results['seed']['cases']:,} cases ({results['seed']['open']:,} open, "
        f"{results['seed']['messages']:,} messages, {results['seed']['events']:,} events) in "
        f"{results['seed']['seconds']} s",
        f"- Runs: {results['runs']} interleaved (each workload, then its baseline, in turn); "
        "figures are min / median / max. The machine is shared: figures are noisy.",
        "",
        "| workload | measure | desk (min / median / max) | p95 ms (median) | baseline "
        "(min / median / max) | ratio desk ÷ baseline (median) | target |",
        "|---|---|---|---|---|---|---|",
    ]

    def triple(s: dict[str, float] | None) -> str:
        return "—" if s is None else f"{s['min']} / {s['median']} / {s['max']}"

    for name, w in results["workloads"].items():
        target = next((t for key, t in TARGETS.items() if name.startswith(key)), "")
        p95 = (w.get("subject_p95_ms") or {}).get("median", "—")
        ratio = (w.get("ratio") or {}).get("median", "—")
        lines.append(
            f"| {name} | {w['unit']} | {triple(w['subject'])} | {p95} | "
            f"{triple(w.get('baseline'))} | {ratio} | {target} |"
        )
        if name == "sla_report_one_year":
            for part in ("cli", "dashboard"):
                lines.append(
                    f"| {name} ({part}) | ms | {triple(w[part])} | — | "
                    f"{triple(w.get('baseline'))} | {w[part + '_ratio']['median']} | {target} |"
                )
    deep = results.get("deep_pages", {})
    lines += [
        "",
        f"Deep pages: queue page {deep.get('queue')}, API list page "
        f"{deep.get('api_list')} (keyset cursors walked once before the runs).",
        "",
    ]
    for name, frames in results.get("profiles", {}).items():
        lines += [
            "",
            f"Profile of {name} (py-spy, share of samples, the desk's frames):",
            "",
            "```",
            *frames,
            "```",
        ]
    lines += ["", "Peak RSS (MB) per process:", ""]
    for name, values in results["peak_rss_mb"].items():
        lines.append(f"- {name}: {values}")
    lines += ["", "Checks (0 errors; every accepted intake made one case and one outbox row):", ""]
    for name, ok in results["checks"].items():
        lines.append(f"- {name}: {'ok' if ok else 'FAILED'}")
    sweep = results["workloads"].get("sla_sweep", {}).get("runs", [])
    if sweep:
        lines += [
            "",
            f"SLA sweep: {sweep[0]['subject']['cases']} due among "
            f"{sweep[0]['subject']['open']:,} open cases; with 0 due: "
            f"{[r['subject']['zero_due_seconds'] for r in sweep]} s.",
        ]
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pg = ""
    with (
        contextlib.suppress(Exception),
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn,
    ):
        row = conn.execute("SHOW server_version").fetchone()
        pg = f", PostgreSQL {row[0]}" if row else ""
    return f"{platform.node()}: {cpus} CPU ({model}), Python {platform.python_version()}{pg}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--cases", type=int, default=None, help="override the scale's cases")
    parser.add_argument("--keep", action="store_true", help="keep the database created")
    parser.add_argument("--out", type=Path, default=BENCH, help="where results.* go")
    parser.add_argument("--seconds", type=int, default=None, help="override: wrk seconds")
    parser.add_argument("--emails", type=int, default=None, help="override: emails sent")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="WORKLOAD",
        help="py-spy the serving processes during WORKLOAD's first run (repeatable)",
    )
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    for name in ("cases", "seconds", "emails"):
        if getattr(args, name):
            scale = Scale(**{**scale.__dict__, name: getattr(args, name)})
    # A TERM (timeout, CI cancelling) unwinds like Ctrl-C: the processes stop, the database goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis_url = os.environ.get("DESK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as tmp, database(args.keep) as url:
        args.out.mkdir(parents=True, exist_ok=True)
        bench = Bench(scale, url, redis_url, Path(tmp), args.out, tuple(args.profile))
        try:
            bench.run()
        finally:
            bench.close()
    results = {
        "scale": args.scale,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "runs": scale.runs,
        "wall_seconds": round(time.monotonic() - started, 1),
        **bench.results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (args.out / "results.md").write_text(markdown(results))
    log(f"done in {results['wall_seconds']} s: {args.out / 'results.md'}")
    failed = [name for name, ok in results["checks"].items() if not ok]
    if failed:
        log("checks failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
