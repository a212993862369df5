"""A real Celery worker delivers outbox mail to a real SMTP server, over both brokers.

The worker runs in a thread (celery.contrib.testing) and consumes from the embedded
SQLAlchemy/SQLite broker, then from Redis under a per-run key prefix. Mail lands in an
aiosmtpd server started by the test, which reads the received message back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from desk.app import create_app
from desk.models import OutboxMessage
from desk.services import cases, reference_data, routing, schema
from desk.services.mailcatcher import start_catcher
from tests.conftest import REFERENCE_FILE, ROUTING_FILE, raw_submission
from tests.support.employer_links import names_case
from tests.support.services import free_port, redis_reachable, redis_url, temporary_redis_prefix
from tests.support.tiers import unavailable
from workers.celery_app import make_celery


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate.__name__}")


@pytest.fixture(params=["embedded", "redis"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "embedded":
        yield {"BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3")}
        return
    problem = redis_reachable()
    if problem:
        unavailable(problem)
    with temporary_redis_prefix() as prefix:
        yield {"REDIS_URL": redis_url(), "REDIS_KEY_PREFIX": prefix}


@pytest.fixture
def desk(tmp_path: Path, broker: dict[str, str]) -> Iterator[dict[str, Any]]:
    """A migrated database, the app on it, and an SMTP port nobody listens on yet."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url)
    smtp_port = free_port()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SMTP_PORT": smtp_port,
            "BASE_URL": "http://desk.test",
            "OUTBOX_MAX_ATTEMPTS": 3,
            **broker,
        }
    )
    with app.extensions["desk.sessions"]() as session:
        reference_data.load_reference_data(session, REFERENCE_FILE)
        routing.seed_rules(session, ROUTING_FILE)
    celery = make_celery(app)
    with start_worker(
        celery, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15
    ):
        yield {"app": app, "celery": celery, "smtp_port": smtp_port, "mail": tmp_path / "mail"}
    app.extensions["desk.engine"].dispose()


def outbox_row(app: Any, row_id: int) -> OutboxMessage:
    with app.extensions["desk.sessions"]() as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.id == row_id)).one()


def received(folder: Path) -> list[Any]:
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in files]


def test_confirmation_mail_travels_through_the_worker(desk: dict[str, Any]) -> None:
    catcher = start_catcher(desk["mail"], port=desk["smtp_port"])
    try:
        with desk["app"].extensions["desk.sessions"]() as session:
            case = cases.submit_case(
                session, raw_submission(language="sv", municipality="Itis", email="sara@example.fi")
            )
        desk["celery"].send_task("desk.relay_outbox")

        (message,) = wait_for(lambda: received(desk["mail"]))
    finally:
        catcher.stop()
    assert message["To"] == "sara@example.fi"
    assert message["Content-Language"] == "sv"
    assert case.reference in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    secret = desk["app"].config["SECRET_KEY"]
    assert names_case(secret, text, case) and names_case(secret, html, case)
    assert "Itis (142)" in text  # the routing reason, in Swedish
    row = wait_for(lambda: (r := outbox_row(desk["app"], 1)).status == "delivered" and r)
    assert row.attempts == 1


def test_a_failed_delivery_is_retried_not_dropped(desk: dict[str, Any]) -> None:
    with desk["app"].extensions["desk.sessions"]() as session:
        case = cases.submit_case(session, raw_submission())
    # Nobody listens on the SMTP port yet: the attempt fails and is rescheduled.
    desk["celery"].send_task("desk.relay_outbox")
    row = wait_for(lambda: (r := outbox_row(desk["app"], 1)).attempts == 1 and r)
    assert row.status == "pending"
    assert "Connection refused" in row.last_error or "Errno" in row.last_error

    catcher = start_catcher(desk["mail"], port=desk["smtp_port"])
    try:
        # The relay picks the row up again once its backoff (2.5-5 s) has passed.
        def delivered() -> bool:
            desk["celery"].send_task("desk.relay_outbox")
            time.sleep(0.5)
            return outbox_row(desk["app"], 1).status == "delivered"

        wait_for(delivered, timeout=30)
        (message,) = received(desk["mail"])
    finally:
        catcher.stop()
    assert case.reference in message["Subject"]
    assert outbox_row(desk["app"], 1).attempts == 2
