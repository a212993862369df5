"""Readiness checks of the database and the message broker."""

from __future__ import annotations

from typing import Any

from kombu.connection import Connection
from sqlalchemy import Engine, text


def check_database(engine: Engine) -> str | None:
    """None when a query succeeds, else the error in a few words."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the probe reports it
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def check_broker(url: str, transport_options: dict[str, Any] | None = None) -> str | None:
    """None when the broker accepts a connection and a channel, else the error."""
    try:
        options = transport_options or {}
        connection = Connection(url, transport_options=options, connect_timeout=2)  # type: ignore[no-untyped-call]
        with connection as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.channel()
            # Declaring the default queue talks to the broker for real (also on the SQL transport).
            channel.queue_declare("celery", passive=False, durable=True)
            channel.close()
    except Exception as exc:  # any failure means "not ready"; the probe reports it
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return None
