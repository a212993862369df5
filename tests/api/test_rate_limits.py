"""Rate limits: 429 problem+json with Retry-After, per token or per address, counted in
memory by default and in Redis when the desk has one."""

from pathlib import Path

import pytest
import redis

from desk.app import create_app
from tests.api.conftest import problem, submission
from tests.support.services import redis_reachable, redis_url, temporary_redis_prefix
from tests.support.tiers import unavailable


def test_over_the_limit_is_429_with_retry_after(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get("/api/v1/processing-times").status_code == 200
    response = client.get("/api/v1/processing-times", headers={"Accept-Language": "en"})
    body = problem(response, 429, "rate-limited")
    assert body["title"] == "Too many requests"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Retry-After"] in body["detail"]
    # Pages outside the API are not limited.
    assert client.get("/processing-times").status_code == 200


def test_tokens_are_counted_apart_from_addresses(app, client, staff, token_for):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    headers = token_for(staff("ph@example.fi"))
    for _ in range(2):
        assert client.get("/api/v1/staff/teams", headers=headers).status_code == 200
    problem(client.get("/api/v1/staff/teams", headers=headers), 429, "rate-limited")
    assert client.get("/api/v1/processing-times").status_code == 200  # the address has its own


def test_submissions_have_a_stricter_limit_of_their_own(app, client):
    app.config["API_SUBMIT_RATE_LIMIT"] = "2 per minute"
    assert client.post("/api/v1/cases", json=submission()).status_code == 201
    assert client.post("/api/v1/cases", json=submission()).status_code == 201
    response = client.post("/api/v1/cases", json=submission())
    problem(response, 429, "rate-limited")
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/routing?municipality=Lahti&need=recruitment").status_code == 200


@pytest.mark.redis
def test_with_redis_all_processes_count_together(sqlite_url, sqlite_engine, tmp_path: Path):
    problem_text = redis_reachable()
    if problem_text:
        unavailable(problem_text)
    with temporary_redis_prefix() as prefix:
        apps = [
            create_app(
                {
                    "DATABASE_URL": sqlite_url,
                    "TESTING": True,
                    "REDIS_URL": redis_url(),
                    "REDIS_KEY_PREFIX": prefix,
                    "API_RATE_LIMIT": "3 per minute",
                    "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
                }
            )
            for _ in range(2)
        ]
        server = redis.Redis.from_url(redis_url())
        try:
            first, second = (app.test_client() for app in apps)
            assert first.get("/api/v1/processing-times").status_code == 200
            assert second.get("/api/v1/processing-times").status_code == 200
            assert first.get("/api/v1/processing-times").status_code == 200
            problem(second.get("/api/v1/processing-times"), 429, "rate-limited")
            assert list(server.scan_iter(match=f"*{prefix}*"))
        finally:
            for key in server.scan_iter(match=f"*{prefix}*"):
                server.delete(key)
            for app in apps:
                app.extensions["desk.engine"].dispose()
