"""Failures of the desk's own infrastructure, with real processes: the broker (Redis) down
when an employer submits, and a worker killed with SIGKILL in the middle of a delivery.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

from desk.services import cases
from tests.conftest import raw_submission
from tests.support.processes import DeskProcesses, OwnRedis, wait_for
from tests.support.receivers import mailbox, start_smtp

FORM = {
    "business_id": "0112038-9",
    "organisation_name": "Orimattilan Metalli Oy",
    "contact_name": "Teija Työnantaja",
    "email": "redis-down@example.fi",
    "phone": "",
    "municipality": "560",
    "municipality_other": "",
    "need": "recruitment",
    "affected_employees": "",
    "description": "We need three welders from January.",
    "language": "sv",
}


def test_redis_down_when_an_employer_submits(
    make_desk: Callable[..., DeskProcesses], own_redis: OwnRedis
) -> None:
    desk = make_desk(REDIS_URL=own_redis.url)
    smtp = start_smtp(desk.mail_dir, desk.smtp_port)
    try:
        desk.start_worker_and_beat()
        own_redis.stop()

        client = desk.app.test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["failing"] == ["broker"]

        # The real form, CSRF token and all, while the broker is unreachable.
        page = client.get("/request?lang=sv")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        started = time.monotonic()
        response = client.post("/request", data={**FORM, "csrf_token": token.group(1)})
        assert response.status_code == 303
        assert time.monotonic() - started < 2.0
        confirmation = client.get(response.headers["Location"], follow_redirects=True)
        assert confirmation.status_code == 200
        (row,) = desk.rows("email.case_received")
        with desk.session() as session:
            reference = cases.get_case_by_token(
                session, response.headers["Location"].split("/case/")[1].split("?")[0]
            ).reference
        assert reference in confirmation.text

        # The outbox row waits: beat cannot hand the relay to a worker without a broker.
        time.sleep(1.5)
        waiting = desk.row(row.id)
        assert waiting.status == "pending" and waiting.attempts == 0
        assert mailbox(desk.mail_dir) == []

        own_redis.start()  # worker and beat reconnect by themselves
        (message,) = wait_for(lambda: mailbox(desk.mail_dir), 30, "the confirmation")
        wait_for(lambda: desk.row(row.id).status == "delivered", 10, "the row delivered")
        time.sleep(1.0)
        assert len(mailbox(desk.mail_dir)) == 1
    finally:
        smtp.stop()
    assert message["To"] == FORM["email"]
    assert reference in str(message["Subject"])
    assert message["Content-Language"] == "sv"


def _children(pid: int) -> list[int]:
    """Child processes of pid (the prefork pool's workers)."""
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    if listed.exists():
        return [int(child) for child in listed.read_text().split()]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _submit(desk: DeskProcesses, address: str) -> int:
    with desk.session() as session:
        case = cases.submit_case(session, raw_submission(email=address))
    (row,) = [r for r in desk.rows("email.case_received") if r.case_id == case.id]
    return row.id


def test_worker_killed_mid_delivery_is_redelivered_once(
    make_desk: Callable[..., DeskProcesses], shared_redis: dict[str, str]
) -> None:
    """The whole worker dies: the lease expires and the relay hands the row over again."""
    desk = make_desk(**shared_redis)
    # The server keeps the first sender waiting at RCPT: the kill lands mid-conversation,
    # before any message data was sent.
    smtp = start_smtp(desk.mail_dir, desk.smtp_port, first_rcpt_delay=8.0)
    handler = smtp.handler
    try:
        desk.start_worker_and_beat("worker1")
        row_id = _submit(desk, "killed@example.fi")
        wait_for(handler.rcpt_waiting.is_set, 20, "the first SMTP conversation")
        assert desk.row(row_id).status == "sending"
        desk.kill("worker1")

        desk.start_worker("worker2")
        wait_for(lambda: desk.row(row_id).status == "delivered", 20, "redelivery")
        time.sleep(1.0)
        copies = mailbox(desk.mail_dir)
    finally:
        smtp.stop()
    assert len(copies) == 1
    assert str(copies[0]["Message-ID"]).startswith(f"<outbox-{row_id}.")
    assert "delivered" in desk.log("worker2").read_text()


def test_pool_process_killed_mid_delivery_is_taken_over_at_once(
    make_desk: Callable[..., DeskProcesses], shared_redis: dict[str, str]
) -> None:
    """A prefork pool process dies: Celery redelivers the same task (acks_late and
    reject_on_worker_lost), which takes its own lease over without waiting for it to expire."""
    desk = make_desk(**shared_redis, OUTBOX_REDISPATCH_AFTER_SECONDS=120)
    smtp = start_smtp(desk.mail_dir, desk.smtp_port, first_rcpt_delay=8.0)
    handler = smtp.handler
    try:
        desk.start_worker_and_beat("worker", pool="prefork")
        worker = desk.processes["worker"]
        row_id = _submit(desk, "pool-killed@example.fi")
        wait_for(handler.rcpt_waiting.is_set, 20, "the first SMTP conversation")
        (child,) = _children(worker.pid)
        os.kill(child, signal.SIGKILL)
        started = time.monotonic()
        # Far sooner than the 120 s lease: only the takeover can deliver it in time.
        wait_for(lambda: desk.row(row_id).status == "delivered", 20, "redelivery")
        assert time.monotonic() - started < 20
        time.sleep(1.0)
        copies = mailbox(desk.mail_dir)
    finally:
        smtp.stop()
    assert len(copies) == 1
    assert worker.poll() is None  # the worker itself lives on
    log = desk.log("worker").read_text()
    assert "SIGKILL" in log or "signal 9" in log
