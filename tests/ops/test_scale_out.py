"""Scale-out: two web processes (gunicorn) and two Celery workers with one beat, on one fresh
PostgreSQL database and one Redis (under a key prefix of this test). Submissions alternate
between the two web processes; every case must be stored once and every email delivered
once, to an aiosmtpd server on a free port, and one request id followed into a worker."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.models import Case, OutboxMessage
from tests.support.processes import BIN, DeskProcesses, desk_factory, redis_settings, wait_for
from tests.support.receivers import mailbox, start_smtp
from tests.support.services import (
    free_port,
    postgres_reachable,
    redis_reachable,
    temporary_postgres_database,
    temporary_redis_prefix,
)
from tests.support.tiers import unavailable

SUBMISSIONS = 16


@pytest.fixture
def make_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., DeskProcesses]]:
    for problem in (postgres_reachable(), redis_reachable()):
        if problem:
            unavailable(problem)
    if not (BIN / "gunicorn").exists():
        unavailable(f"{BIN / 'gunicorn'} missing (run `make install`)")
    with desk_factory(tmp_path_factory) as factory:
        yield factory


def _submit(base: str, number: int) -> dict[str, Any]:
    body = {
        "business_id": "0112038-9",
        "organisation_name": f"Skaalaus {number} Oy",
        "contact_name": "Teija Työnantaja",
        "email": f"employer{number}@example.fi",
        "municipality": ("Lahti", "Orimattila")[number % 2],
        "need": "recruitment",
        "description": f"Request number {number} of the scale-out test.",
        "language": "fi",
    }
    request = urllib.request.Request(
        f"{base}/api/v1/cases",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": f"scale-out-{number:04d}",
            "X-Request-ID": f"scale-out-req-{number}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert response.headers["X-Request-ID"] == f"scale-out-req-{number}"
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def test_two_webs_two_workers_one_beat_store_each_case_once_and_mail_it_once(
    make_desk: Callable[..., DeskProcesses], tmp_path: Path
) -> None:
    with temporary_postgres_database("desk_scale") as url, temporary_redis_prefix() as prefix:
        smtp_port = free_port()
        desk = make_desk(
            DATABASE_URL=url,
            SMTP_PORT=smtp_port,
            RATELIMIT_ENABLED=False,
            LOG_FORMAT="json",
            **redis_settings(prefix),
        )
        smtp = start_smtp(tmp_path / "inbox", smtp_port)
        try:
            # One after another: five processes importing at once on a small machine is slow.
            desk.start_worker("worker1")
            desk.start_worker("worker2")
            desk.start_beat()
            ports = [free_port(), free_port()]
            for index, port in enumerate(ports):
                argv = [
                    str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                    "--bind", f"127.0.0.1:{port}", "--workers", "2", "desk.app:create_app()",
                ]  # fmt: skip
                desk.start(f"web{index}", argv, ready="Booting worker")
            desk.wait_ready("web0", "web1")
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            wait_for(lambda: all(_healthy(base) for base in bases), 30, "both webs to answer")

            receipts = [_submit(bases[i % 2], i) for i in range(SUBMISSIONS)]
            references = [r["reference"] for r in receipts]
            assert len(set(references)) == SUBMISSIONS

            inbox = tmp_path / "inbox"
            wait_for(lambda: len(mailbox(inbox)) >= SUBMISSIONS, 90, f"{SUBMISSIONS} emails")
            with desk.session() as session:
                wait_for(lambda: _all_delivered(desk), 30, "every outbox row delivered")
                stored = Counter(session.scalars(select(Case.reference)))
                assert stored == Counter(references)  # each case once
                assert session.scalar(select(func.count()).select_from(Case)) == SUBMISSIONS
            # Give a twin delivery (a redelivered message, a second relay) time to show up.
            wait_for(lambda: True, 1)
            recipients = Counter(str(m["To"]) for m in mailbox(inbox))
            assert recipients == Counter(f"employer{i}@example.fi" for i in range(SUBMISSIONS))
            # Both web processes and both workers did some of the work.
            logs = {name: desk.log(name).read_text(errors="replace") for name in desk.processes}
            assert "/api/v1/cases" in logs["web0"] and "/api/v1/cases" in logs["web1"]
            worked = [name for name in ("worker1", "worker2") if "Outbox row" in logs[name]]
            assert worked, desk.tails()
            # The request id of a submission reached the worker that delivered its email.
            assert any('"request_id": "scale-out-req-' in logs[name] for name in worked), (
                desk.tails()
            )
        finally:
            desk.stop_all()
            smtp.stop()
            desk.app.extensions["desk.engine"].dispose()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _all_delivered(desk: DeskProcesses) -> bool:
    with desk.session() as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    return set(statuses) == {"delivered"}
