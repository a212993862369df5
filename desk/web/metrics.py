"""Prometheus /metrics and the request id of every request (X-Request-ID in and out).

Not a feature package: the factory attaches it like the health probes.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from desk import observability
from desk.services import ops_health
from desk.web.extensions import db_session

bp = Blueprint("metrics", __name__)
LOOPBACK = {"127.0.0.1", "::1"}


class DatabaseCollector(Collector):
    """The figures of the whole deployment, read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        session = db_session()
        health = ops_health.outbox_health(session)
        by_state = ops_health.open_cases_by_sla_state(session)
        cases = GaugeMetricFamily(
            "desk_open_cases", "Open cases (new, open, waiting) by SLA state.", labels=["sla_state"]
        )
        for state, count in by_state.items():
            cases.add_metric([state], count)
        yield cases
        outbox = GaugeMetricFamily(
            "desk_outbox_rows", "Outbox rows by delivery status.", labels=["status"]
        )
        for status, count in sorted(health.by_status.items()):
            outbox.add_metric([status], count)
        yield outbox
        yield GaugeMetricFamily(
            "desk_outbox_backlog", "Outbox rows not yet delivered.", value=health.backlog
        )
        yield GaugeMetricFamily(
            "desk_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest outbox row not yet delivered (0 when none).",
            value=health.oldest_undelivered_age_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "desk_outbox_dead_letters", "Outbox rows dead-lettered.", value=health.dead
        )
        yield GaugeMetricFamily(
            "desk_outbox_retrying",
            "Undelivered rows that failed at least once.",
            value=health.retrying,
        )


def _allowed() -> bool:
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # Without a token only the machine itself (a local Prometheus or an SSH tunnel).
    return request.remote_addr in LOOPBACK


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: every worker's samples (multiprocess) and the database's."""
    if not _allowed():
        abort(403 if not current_app.config.get("METRICS_TOKEN") else 401)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    body = generate_latest(registry) + generate_latest(database)
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")


def _start() -> None:
    g.request_started = time.perf_counter()
    rid = observability.accept_request_id(request.headers.get(observability.REQUEST_ID_HEADER))
    g.request_id = rid
    g.request_id_token = observability.set_request_id(rid)


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[observability.REQUEST_ID_HEADER] = rid
    started = g.get("request_started")
    if started is not None and request.endpoint != "static":
        observability.REQUEST_LATENCY.labels(
            endpoint=request.endpoint or "unknown",  # never the raw path: bounded labels
            method=request.method,
            status=str(response.status_code),
        ).observe(time.perf_counter() - started)
    return response


def _forget(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        observability.reset_request_id(token)


def init_app(app: Flask) -> None:
    """Request ids and latency on every request; the /metrics route."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)
    app.register_blueprint(bp)
