"""Failures at the receiving end, with the real worker and beat processes: an SMTP server
that is down, and webhook receivers that fail or stall. Nothing is lost, nothing doubles,
and the case flow never waits for a receiver.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator

import pytest

from desk.domain.webhook_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from desk.models import User
from desk.services import cases, users
from desk.services.notify import webhooks
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from tests.support.processes import (
    DeskProcesses,
    desk_factory,
    redis_settings,
    require_redis,
    wait_for,
)
from tests.support.receivers import WebhookReceiver, mailbox, start_smtp, start_webhook_receiver
from tests.support.services import temporary_redis_prefix

BASE = 0.4  # OUTBOX_BACKOFF_BASE_SECONDS of the integration tier
TOLERANCE = 0.35  # rendering and database work between the two timestamps compared


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskProcesses]:
    """One desk for the module: worker and beat subprocesses on the shared Redis."""
    require_redis()
    with temporary_redis_prefix() as prefix, desk_factory(tmp_path_factory) as factory:
        running = factory(**redis_settings(prefix))
        running.start_worker_and_beat()
        yield running


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    server = start_webhook_receiver()
    yield server
    server.stop()


def _admin(desk: DeskProcesses) -> User:
    with desk.session() as session:
        admin = users.upsert_user(
            session,
            email="admin@example.fi",
            name="Admin",
            password="not used here",
            role="admin",
            authority="lahti",
            teams=[],
            languages=["en"],
        )
        session.commit()
        return admin


def _to(address: str, desk: DeskProcesses) -> list[object]:
    return [m for m in mailbox(desk.mail_dir) if m["To"] == address]


def test_smtp_down_then_back_is_retried_with_backoff_and_delivered_once(
    desk: DeskProcesses,
) -> None:
    address = "smtp-down@example.fi"
    with desk.session() as session:
        case = cases.submit_case(session, raw_submission(email=address))
    (row,) = [r for r in desk.rows("email.case_received") if r.case_id == case.id]

    # Nobody listens on the SMTP port: each attempt fails and is scheduled again, later
    # each time (exponential, jittered: attempt n waits BASE * 2**(n-1) / 2 .. BASE * 2**(n-1)).
    delays: dict[int, float] = {}

    def failed_twice() -> bool:
        current = desk.row(row.id)
        if current.attempts and current.status == "pending" and current.dispatched_at:
            delay = (current.next_attempt_at - current.dispatched_at).total_seconds()
            delays.setdefault(current.attempts, delay)
        return current.attempts >= 2

    wait_for(failed_twice, 15, "two failed attempts")
    failed = desk.row(row.id)
    assert failed.status == "pending"
    assert "Connection refused" in failed.last_error or "Errno 111" in failed.last_error
    assert 2 in delays
    for attempt, delay in delays.items():
        ceiling = min(1.0, BASE * 2 ** (attempt - 1))
        assert ceiling / 2 - 0.05 <= delay <= ceiling + TOLERANCE, (attempt, delay)

    smtp = start_smtp(desk.mail_dir, desk.smtp_port)
    try:
        wait_for(lambda: desk.row(row.id).status == "delivered", 15, "delivery")
        time.sleep(1.5)  # three more relay rounds: nothing is sent again
        copies = _to(address, desk)
    finally:
        smtp.stop()
    assert len(copies) == 1
    delivered = desk.row(row.id)
    assert delivered.attempts >= 3 and delivered.last_error == ""
    assert case.reference in str(copies[0]["Subject"])


def test_signed_webhook_reaches_the_receiver(
    desk: DeskProcesses, receiver: WebhookReceiver
) -> None:
    admin = _admin(desk)
    with desk.session() as session:
        subscription = webhooks.create_subscription(
            session, as_staff(admin), "CRM", f"{receiver.base_url}/ok", ["case.received"]
        )
    smtp = start_smtp(desk.mail_dir, desk.smtp_port)
    try:
        with desk.session() as session:
            case = cases.submit_case(session, raw_submission(email="hook-ok@example.fi"))
        (call,) = wait_for(lambda: receiver.calls_to("/ok"), 15, "the webhook call")
    finally:
        smtp.stop()
        with desk.session() as session:
            webhooks.set_active(session, as_staff(admin), subscription.id, False)
    body = json.loads(call.body)
    assert body["type"] == "case.received"
    assert body["case"]["reference"] == case.reference
    assert "email" not in body["case"]  # no contact details leave the desk
    assert call.headers["X-Desk-Event"] == "case.received"
    assert verify(
        subscription.secret,
        call.headers[TIMESTAMP_HEADER],
        call.body,
        call.headers[SIGNATURE_HEADER],
        now=time.time(),
    )
    assert not verify("whsec_wrong", call.headers[TIMESTAMP_HEADER], call.body,
                      call.headers[SIGNATURE_HEADER], now=time.time())  # fmt: skip


@pytest.mark.parametrize(
    ("path", "error"), [("/fail", "HTTP 500"), ("/slow", "timed out")], ids=["500", "timeout"]
)
def test_failing_webhook_is_retried_then_dead_lettered_and_never_blocks_the_case(
    desk: DeskProcesses, receiver: WebhookReceiver, path: str, error: str
) -> None:
    admin = _admin(desk)
    receiver.slow_seconds = 1.5  # longer than WEBHOOK_TIMEOUT_SECONDS (0.5 s)
    with desk.session() as session:
        subscription = webhooks.create_subscription(
            session,
            as_staff(admin),
            f"Broken {path}",
            f"{receiver.base_url}{path}",
            ["case.received"],
        )
    address = f"hook{path.replace('/', '-')}@example.fi"
    smtp = start_smtp(desk.mail_dir, desk.smtp_port)
    try:
        started = time.monotonic()
        with desk.session() as session:
            case = cases.submit_case(session, raw_submission(email=address))
        assert time.monotonic() - started < 1.0  # the submit never waits for a receiver

        hook = wait_for(
            lambda: [r for r in desk.rows(webhooks.KIND) if r.case_id == case.id],
            5,
            "the webhook row",
        )[0]
        dead = wait_for(
            lambda: (r := desk.row(hook.id)).status == "dead" and r, 20, "the dead letter"
        )
        # Meanwhile the employer got their confirmation: the failing receiver blocked nothing.
        assert len(_to(address, desk)) == 1
    finally:
        smtp.stop()
        with desk.session() as session:
            webhooks.set_active(session, as_staff(admin), subscription.id, False)
    assert dead.attempts == 4 and error in dead.last_error
    calls = receiver.calls_to(path)[-4:]
    assert len(calls) == 4
    # Every retry carries the same event: same bytes, same event id, a fresh signature.
    assert len({call.body for call in calls}) == 1
    assert json.loads(calls[0].body)["case"]["reference"] == case.reference
    assert all(
        verify(subscription.secret, c.headers[TIMESTAMP_HEADER], c.body,
               c.headers[SIGNATURE_HEADER], now=time.time())
        for c in calls
    )  # fmt: skip
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
    assert all(gap >= BASE / 2 - 0.05 for gap in gaps), gaps  # backed off, not hammered
