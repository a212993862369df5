"""The Celery app of the worker and beat: `celery -A workers.celery_app worker|beat`."""

from __future__ import annotations

from celery import Celery
from flask import Flask

from desk.app import create_app
from workers.schedule import beat_schedule


def make_celery(flask_app: Flask) -> Celery:
    """Take the Celery instance create_app() made, register tasks and the beat schedule."""
    celery: Celery = flask_app.extensions["celery"]
    celery.conf.beat_schedule = beat_schedule(flask_app.config)
    import workers.case_work_tasks
    import workers.inbound_tasks
    import workers.retention_tasks
    import workers.sla_tasks
    import workers.tasks  # noqa: F401  (registers the tasks, the sweeps too)

    return celery


_built: list[Celery] = []


def __getattr__(name: str) -> Celery:
    # Built on first access, not at import: `celery -A workers.celery_app` asks for `celery`.
    if name not in ("celery", "app"):
        raise AttributeError(name)
    if not _built:
        celery = make_celery(create_app())
        celery.set_default()
        _built.append(celery)
    return _built[0]
