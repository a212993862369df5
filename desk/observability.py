"""Logs and metrics shared by the web, the worker and the CLI (no Flask, no Celery here).

- The request id: a context variable set per web request (from X-Request-ID, else new) and
  per Celery task (from its `request_id` header), written on every log record, stored on the
  outbox rows a request causes and handed to their delivery tasks: one id follows a case's
  work from the web request into the worker.
- JSON logs (python-json-logger) when LOG_FORMAT = "json", else readable text.
- Prometheus metrics of the process (prometheus_client). With PROMETHEUS_MULTIPROC_DIR set
  (before the process starts) every gunicorn worker writes its samples there and /metrics
  adds them up.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("desk_request_id", default=None)
# What a client may hand us as its id: short and harmless in a log line and a header.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUEST_LATENCY = Histogram(
    "desk_http_request_duration_seconds",
    "Time to answer a web request, by endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_FAILURES = Counter(
    "desk_task_failures_total", "Celery tasks that raised, by task name.", ["task"]
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The client's id when it is acceptable, else a new one."""
    if value and _ACCEPTABLE_ID.match(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request or task being handled, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> object:
    """Set the current id; returns a token for reset_request_id."""
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (`-` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


_configured: list[str] = []


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """One handler on the root logger, JSON or text, with the request id; once per process."""
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        formatter: logging.Formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = logging.Formatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    _configured.append(log_format)


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """A logging.config dict of JSON lines with the request id (gunicorn's logconfig_dict)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "desk.observability.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
