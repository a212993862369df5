"""Delivery throughput: one Celery worker process (solo pool) with beat's relay, on Redis and
SQLite, delivering confirmation emails to a local aiosmtpd server.

`make test` runs it once with a small batch (DESK_BENCH_EMAILS, default 40) to keep it
working; `DESK_BENCH_EMAILS=500 make bench` measures. The figure is in benchmark.extra_info
and printed (-s to see it).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.models import OutboxMessage
from desk.services import cases, outbox
from tests.conftest import raw_submission
from tests.support.processes import desk_factory, redis_settings, require_redis, wait_for
from tests.support.receivers import start_smtp
from tests.support.services import temporary_redis_prefix


def test_one_worker_delivers_a_batch_of_emails(
    benchmark: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    require_redis()
    count = int(os.environ.get("DESK_BENCH_EMAILS", "40"))
    with temporary_redis_prefix() as prefix, desk_factory(tmp_path_factory) as factory:
        desk = factory(**redis_settings(prefix), OUTBOX_RELAY_SECONDS=0.2, OUTBOX_BATCH_SIZE=1000)
        smtp = start_smtp(desk.mail_dir, desk.smtp_port)
        try:
            desk.start_worker_and_beat()
            with desk.session() as session:
                case = cases.submit_case(session, raw_submission())
            wait_for(lambda: desk.row(1).status == "delivered", 20, "the first email")

            def delivered() -> int:
                with desk.session() as session:
                    stmt = select(func.count()).where(OutboxMessage.status == "delivered")
                    return int(session.scalar(stmt) or 0)

            def deliver_batch() -> float:
                started = time.monotonic()
                with desk.session() as session:
                    for _ in range(count):
                        outbox.enqueue(session, "email.case_received", {"case_id": case.id})
                    session.commit()
                wait_for(lambda: delivered() == count + 1, 30 + count / 2, f"{count} emails")
                return time.monotonic() - started

            seconds = benchmark.pedantic(deliver_batch, rounds=1, iterations=1)
        finally:
            smtp.stop()
    rate = count / seconds
    benchmark.extra_info.update(emails=count, seconds=round(seconds, 2), per_second=round(rate, 1))
    print(f"\n{count} emails delivered by one worker in {seconds:.2f} s ({rate:.1f}/s)")
    assert len(list(desk.mail_dir.glob("*.eml"))) == count + 1
