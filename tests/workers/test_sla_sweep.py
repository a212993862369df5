"""The SLA sweep driven by a real beat and a real worker over the embedded broker.

Celery's beat service runs in a thread with a one-second schedule, the worker in another;
the sweep records the breach of a late case, the relay hands its notifications to the
worker, and they arrive over SMTP at a real aiosmtpd server. Later sweeps add nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from desk.app import create_app
from desk.domain.business_calendar import default_calendar
from desk.models import SlaEvent, Team, User, utcnow
from desk.services import cases, reference_data, routing, schema
from desk.services.mailcatcher import start_catcher
from tests.conftest import REFERENCE_FILE, ROUTING_FILE, raw_submission
from tests.support.actors import as_staff
from tests.support.services import free_port
from tests.workers.test_delivery import received, wait_for
from workers.celery_app import make_celery


def _user(session: Any, email: str, role: str, language: str) -> User:
    team = session.scalar(select(Team).where(Team.slug == "paijat-hame-employer-services"))
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash="!",
        role=role,
        authority_slug="paijat-hame",
        languages=language,
        ui_language=language,
        teams=[team],
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url)
    smtp_port = free_port()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SMTP_PORT": smtp_port,
            "BASE_URL": "http://desk.test",
            "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
            "SLA_SWEEP_SECONDS": 1.0,
            "OUTBOX_RELAY_SECONDS": 1.0,
        }
    )
    with app.extensions["desk.sessions"]() as session:
        reference_data.load_reference_data(session, REFERENCE_FILE)
        routing.seed_rules(session, ROUTING_FILE)
    celery = make_celery(app)
    catcher = start_catcher(tmp_path / "mail", port=smtp_port)
    beat = EmbeddedService(
        celery, thread=True, max_interval=0.5, schedule_filename=str(tmp_path / "beat-schedule")
    )
    try:
        with start_worker(
            celery, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15
        ):
            yield {"app": app, "mail": tmp_path / "mail", "beat": beat}
    finally:
        if beat.is_alive():
            beat.stop()
        catcher.stop()
        app.extensions["desk.engine"].dispose()


def test_beat_and_worker_deliver_each_breach_once(desk: dict[str, Any]) -> None:
    app = desk["app"]
    with app.extensions["desk.sessions"]() as session:
        adviser = _user(session, "pekka@example.fi", "adviser", "fi")
        manager = _user(session, "matti@example.fi", "manager", "en")
        # Change security: 4 business hours to the first response; received 5 hours ago.
        received_at = default_calendar().subtract_business_time(utcnow(), timedelta(hours=5))
        case = cases.submit_case(session, raw_submission(need="change-security"), now=received_at)
        cases.claim(session, as_staff(adviser), case.id)
        reference, adviser_email, manager_email = case.reference, adviser.email, manager.email

    desk["beat"].start()

    def breach_mails() -> list[Any]:
        staff = (adviser_email, manager_email)
        return [m for m in received(desk["mail"]) if m["To"] in staff]

    mails = wait_for(lambda: len(breach_mails()) >= 2 and breach_mails(), timeout=60)
    assert sorted(m["To"] for m in mails) == sorted([adviser_email, manager_email])
    to_manager = next(m for m in mails if m["To"] == manager_email)
    assert to_manager["Subject"].strip().startswith(f"Overdue: first response of case {reference}")
    assert to_manager["Content-Language"] == "en"
    body = to_manager.get_body(preferencelist=("plain",)).get_content()
    assert f"http://desk.test/staff/cases/{reference}" in body

    time.sleep(3)  # several more sweeps run: nothing is recorded or sent twice
    assert len(breach_mails()) == 2
    with app.extensions["desk.sessions"]() as session:
        events = session.scalar(select(func.count()).select_from(SlaEvent))
    assert events == 1
