"""Per-run PostgreSQL databases and Redis key prefixes, created and dropped by the tests."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager

import psycopg
import redis
from psycopg import sql

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_admin_url() -> str:
    return os.environ.get("DESK_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def redis_url() -> str:
    return os.environ.get("DESK_TEST_REDIS_URL", DEFAULT_REDIS_URL)


def postgres_reachable() -> str | None:
    """None if the test PostgreSQL server answers, else why not."""
    try:
        with closing(psycopg.connect(postgres_admin_url(), connect_timeout=3)):
            return None
    except Exception as exc:
        return f"PostgreSQL at {postgres_admin_url()} unreachable: {exc}"


def redis_reachable() -> str | None:
    """None if the test Redis server answers, else why not."""
    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=3).ping()
        return None
    except Exception as exc:
        return f"Redis at {redis_url()} unreachable: {exc}"


@contextmanager
def temporary_postgres_database(prefix: str = "desk_test") -> Iterator[str]:
    """Create a uniquely named database for this run and drop it afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin_url()
    with closing(psycopg.connect(admin, autocommit=True)) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with closing(psycopg.connect(admin, autocommit=True)) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def temporary_redis_prefix() -> Iterator[str]:
    """A unique key prefix for this run; every key under it is deleted afterwards."""
    prefix = f"desk-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(redis_url())
        for key in client.scan_iter(match=prefix + "*", count=500):
            client.delete(key)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
