"""/metrics (who may read it, what it says), X-Request-ID in and out, the outbox readiness
check and ProxyFix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from desk import observability
from desk.app import create_app
from desk.models import OutboxMessage, utcnow
from desk.services import outbox


def _row(session: Session, age: timedelta, status: str = "pending") -> OutboxMessage:
    row = outbox.enqueue(session, "email.case_received", {"case_id": 0})
    row.status = status
    row.created_at = utcnow() - age
    session.commit()
    return row


def test_metrics_answer_the_machine_itself_with_the_desks_figures(client, app_session) -> None:
    _row(app_session, timedelta(minutes=3))
    _row(app_session, timedelta(minutes=1), status="dead")
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'desk_http_request_duration_seconds_count{endpoint="health.healthz",' in text
    for state in ("on_track", "at_risk", "breached", "paused"):
        assert f'desk_open_cases{{sla_state="{state}"}}' in text
    assert "desk_outbox_backlog 1.0" in text
    assert "desk_outbox_dead_letters 1.0" in text
    age = next(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("desk_outbox_oldest_undelivered_age_seconds ")
    )
    assert 170 < age < 400
    assert "desk_task_failures_total" in text


def test_metrics_are_refused_to_other_addresses_without_a_token(client) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403


def test_with_a_token_only_the_token_opens_metrics(app, client) -> None:
    app.config["METRICS_TOKEN"] = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 401  # even from the machine itself
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret-metrics-token"}
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", headers=right, environ_base=far).status_code == 200


def test_the_request_id_is_echoed_or_made(client) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id <with> spaces"})
    assert made.headers["X-Request-ID"] != "bad id <with> spaces"
    assert len(made.headers["X-Request-ID"]) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != made.headers["X-Request-ID"]


def test_a_public_submission_stores_its_request_id_on_its_outbox_rows(client, app_session) -> None:
    from tests.web.test_public_form import VALID  # the form's valid answers

    response = client.post("/request", data=VALID, headers={"X-Request-ID": "req-follow-me"})
    assert response.status_code in (200, 302, 303)
    rows = app_session.query(OutboxMessage).all()
    assert rows and {row.request_id for row in rows} == {"req-follow-me"}


def test_outbox_rows_outside_a_request_have_no_id(app_session) -> None:
    assert _row(app_session, timedelta(0)).request_id is None
    token = observability.set_request_id("task-42")
    try:
        assert _row(app_session, timedelta(0)).request_id == "task-42"
    finally:
        observability.reset_request_id(token)


@pytest.mark.committed  # the probe opens a connection of its own
def test_readiness_fails_when_the_oldest_undelivered_row_is_too_old(
    app, client, app_session
) -> None:
    _row(app_session, timedelta(minutes=5))
    app.config["READY_OUTBOX_MAX_AGE_SECONDS"] = 900
    assert client.get("/readyz").status_code == 200
    app.config["READY_OUTBOX_MAX_AGE_SECONDS"] = 60
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["outbox"]
    assert "oldest undelivered outbox row" in body["checks"]["outbox"]


def test_proxy_fix_takes_the_clients_address_from_the_proxy(
    sqlite_url, sqlite_engine, tmp_path
) -> None:
    settings = {
        "DATABASE_URL": sqlite_url,
        "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3"),
    }
    plain = create_app(settings)
    behind = create_app({**settings, "PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1})
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    try:
        # Untrusted header: the caller is still the machine itself.
        assert plain.test_client().get("/metrics", headers=forwarded).status_code == 200
        # One trusted proxy: the client is 203.0.113.9, not the loopback.
        assert behind.test_client().get("/metrics", headers=forwarded).status_code == 403
    finally:
        plain.extensions["desk.engine"].dispose()
        behind.extensions["desk.engine"].dispose()
