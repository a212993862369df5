"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from desk.services import ops_health
from desk.services.health import check_broker, check_database
from desk.web.extensions import db_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database and the broker are reachable and the outbox is moving (its oldest
    undelivered row is younger than READY_OUTBOX_MAX_AGE_SECONDS); 503 naming the failing
    part otherwise."""
    checks = {
        "database": check_database(current_app.extensions["desk.engine"]),
        "broker": check_broker(
            current_app.extensions["celery"].conf.broker_url,
            current_app.extensions["celery"].conf.broker_transport_options,
        ),
    }
    if not checks["database"]:
        checks["outbox"] = _outbox_check(float(current_app.config["READY_OUTBOX_MAX_AGE_SECONDS"]))
    failing = [name for name, error in checks.items() if error]
    body: dict[str, object] = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: (error or "ok") for name, error in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return jsonify(body), (503 if failing else 200)


def _outbox_check(max_age_seconds: float) -> str | None:
    try:
        health = ops_health.outbox_health(db_session())
    except Exception as exc:  # any failure means "not ready"; the probe reports it
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return ops_health.outbox_is_fresh(health, max_age_seconds)
