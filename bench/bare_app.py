"""The intake baseline: a bare WSGI endpoint in the same stack (gunicorn + SQLAlchemy +
PostgreSQL) that inserts one row per POST and answers 201, nothing else."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import create_engine, text

from desk.db import normalise_url

_engine = create_engine(normalise_url(os.environ["DESK_DATABASE_URL"]), pool_pre_ping=False)
_INSERT = text("INSERT INTO bench_bare (body) VALUES (:body) RETURNING id")


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """POST anything: one row stored, its id returned."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("405 Method Not Allowed", [("Content-Type", "text/plain")])
        return [b"POST only"]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size).decode("utf-8", "replace")
    with _engine.begin() as connection:
        row_id = connection.execute(_INSERT, {"body": body}).scalar_one()
    payload = json.dumps({"id": row_id}).encode()
    start_response("201 Created", [("Content-Type", "application/json")])
    return [payload]
