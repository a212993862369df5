"""Findings: a made-up bearer token bought a fresh allowance, and limits were counted per
process (issue 14)."""

from __future__ import annotations

import secrets
from pathlib import Path

from desk.app import create_app
from desk.rate_limit_store import SqliteRateLimitStorage, uri_for
from tests.api.conftest import problem


def test_a_random_bearer_token_is_counted_as_the_address(app, client) -> None:
    app.config["API_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        fake = {"Authorization": f"Bearer desk_{secrets.token_urlsafe(30)}"}
        client.get("/api/v1/processing-times", headers=fake)
    problem(client.get("/api/v1/processing-times"), 429, "rate-limited")
    fake = {"Authorization": f"Bearer {secrets.token_urlsafe(30)}"}
    problem(client.get("/api/v1/processing-times", headers=fake), 429, "rate-limited")


def test_a_live_token_has_its_own_count(app, client, staff, token_for) -> None:
    app.config["API_RATE_LIMIT"] = "2 per minute"
    headers = token_for(staff("ph@example.fi"))
    for _ in range(2):
        client.get("/api/v1/processing-times")
    problem(client.get("/api/v1/processing-times"), 429, "rate-limited")
    assert client.get("/api/v1/staff/teams", headers=headers).status_code == 200


def test_without_redis_every_process_counts_in_one_file(
    sqlite_url, sqlite_engine, tmp_path: Path
) -> None:
    shared = tmp_path / "ratelimits.sqlite3"
    apps = [
        create_app(
            {
                "DATABASE_URL": sqlite_url,
                "TESTING": True,
                "REDIS_URL": "",
                "RATELIMIT_SQLITE_PATH": str(shared),
                "API_RATE_LIMIT": "3 per minute",
                "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
            }
        )
        for _ in range(2)
    ]
    try:
        assert all(
            isinstance(app.extensions["desk.limiter"].storage, SqliteRateLimitStorage)
            for app in apps
        )
        first, second = (app.test_client() for app in apps)
        assert first.get("/api/v1/processing-times").status_code == 200
        assert second.get("/api/v1/processing-times").status_code == 200
        assert first.get("/api/v1/processing-times").status_code == 200
        problem(second.get("/api/v1/processing-times"), 429, "rate-limited")
    finally:
        for app in apps:
            app.extensions["desk.engine"].dispose()


def test_the_file_store_counts_windows(tmp_path: Path) -> None:
    store = SqliteRateLimitStorage(uri_for(tmp_path / "r.sqlite3"))
    other = SqliteRateLimitStorage(uri_for(tmp_path / "r.sqlite3"))
    assert store.incr("k", 60) == 1
    assert other.incr("k", 60) == 2
    assert store.get("k") == 2
    assert store.get_expiry("k") > 0
    assert store.incr("gone", -1) == 1  # already expired: the next starts a new window
    assert store.get("gone") == 0
    store.clear("k")
    assert other.get("k") == 0
    assert store.check()
