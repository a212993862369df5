"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from desk.services.health import check_broker, check_database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database and the broker are reachable; 503 naming the failing part otherwise."""
    checks = {
        "database": check_database(current_app.extensions["desk.engine"]),
        "broker": check_broker(
            current_app.extensions["celery"].conf.broker_url,
            current_app.extensions["celery"].conf.broker_transport_options,
        ),
    }
    failing = [name for name, error in checks.items() if error]
    body: dict[str, object] = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: (error or "ok") for name, error in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return jsonify(body), (503 if failing else 200)
