"""Celery wired to the Flask app (the celery_init_app pattern of the Flask docs).

The web never sends tasks (side effects go through the outbox); the worker and beat build
the app with create_app() and take the Celery instance from app.extensions["celery"].
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from desk.config import broker_url
from desk.domain.business_calendar import HELSINKI


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

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app.config))
    app.extensions["celery"] = celery
    return celery
