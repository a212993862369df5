"""Celery wired to the Flask app (the celery_init_app pattern of the Flask docs).

The web never sends tasks (side effects go through the outbox); the worker and beat build
the app with create_app() and take the Celery instance from app.extensions["celery"].
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task, signals
from flask import Flask
from kombu.entity import Queue

from desk import observability
from desk.config import broker_url
from desk.domain.business_calendar import HELSINKI

# Queues by purpose, so each can get its own workers (`celery worker -Q notifications`):
# mail and webhooks must not wait behind a long sweep, nor sweeps behind a mail outage.
QUEUES = ("notifications", "sla", "default")
TASK_ROUTES = {
    "desk.relay_outbox": {"queue": "notifications"},
    "desk.deliver_outbox": {"queue": "notifications"},
    "desk.send_daily_digests": {"queue": "notifications"},
    "desk.sweep_sla": {"queue": "sla"},
    "desk.remind_follow_ups": {"queue": "sla"},
}


def celery_config(config: dict[str, Any]) -> dict[str, Any]:
    """Celery settings from the app configuration."""
    settings: dict[str, Any] = {
        "broker_url": broker_url(config),
        "task_ignore_result": True,
        "result_backend": None,
        # At-least-once: a task is acknowledged only after it ran, and redelivered if the
        # worker dies mid-task. Every task is idempotent (it re-reads state by id).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A delivery that loses the broker mid-send finishes and records its outcome in the
        # database; its unacknowledged message comes back later and is skipped (delivered).
        # Cancelling it instead could cut an SMTP conversation after the server took the mail.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": HELSINKI.key,
        "enable_utc": True,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "broker_transport_options": {"visibility_timeout": 3600},
        # A worker started without -Q consumes every queue; any other task goes to "default".
        "task_queues": [Queue(name, routing_key=name) for name in QUEUES],  # type: ignore[no-untyped-call]
        "task_default_queue": "default",
        "task_routes": TASK_ROUTES,
    }
    if config.get("REDIS_URL") and config.get("REDIS_KEY_PREFIX"):
        settings["broker_transport_options"]["global_keyprefix"] = config["REDIS_KEY_PREFIX"]
    if not config.get("REDIS_URL"):
        # kombu's SQLAlchemy transport hands these to create_engine(): web, worker and beat
        # share the SQLite file, so wait for its lock instead of failing at once.
        settings["broker_transport_options"] = {"connect_args": {"timeout": 15}}
    return settings


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside a Flask app context."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    _connect_signals()
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app.config))
    app.extensions["celery"] = celery
    return celery


def _add_request_id(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    # A task sent while handling a request or a task carries its id (unless given one).
    current = observability.current_request_id()
    if headers is not None and current and not headers.get("request_id"):
        headers["request_id"] = current


def _enter_task(task: Task | None = None, task_id: str | None = None, **_kwargs: Any) -> None:
    given = task.request.get("request_id") if task is not None else None
    observability.set_request_id(given or f"task-{task_id}")


def _leave_task(**_kwargs: Any) -> None:
    observability.set_request_id(None)


def _count_failure(sender: Task | None = None, **_kwargs: Any) -> None:
    observability.TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


def _connect_signals() -> None:
    """The request id into and out of tasks, and the failure counter (once per process)."""
    signals.before_task_publish.connect(_add_request_id, weak=False, dispatch_uid="desk-rid")
    signals.task_prerun.connect(_enter_task, weak=False, dispatch_uid="desk-rid-in")
    signals.task_postrun.connect(_leave_task, weak=False, dispatch_uid="desk-rid-out")
    signals.task_failure.connect(_count_failure, weak=False, dispatch_uid="desk-failures")
