"""A rate-limit store in a SQLite file, for the embedded mode (no Redis).

Flask-Limiter counts in memory by default, so each gunicorn worker had counts of its own and
the limits doubled. With Redis configured the counts live there; without it every process of
the instance counts in one SQLite file (RATELIMIT_SQLITE_PATH, beside the broker's), each
increment in its own `BEGIN IMMEDIATE` transaction so that processes never lose one. Fixed
windows only (the strategy the desk uses). Registered with the `limits` library under the
scheme `desk+sqlite`: `desk+sqlite:////absolute/path/ratelimits.sqlite3`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

SCHEME = "desk+sqlite"
_PURGE_EVERY_SECONDS = 60.0


def uri_for(path: str | Path) -> str:
    return f"{SCHEME}:///{Path(path).resolve()}"


class SqliteRateLimitStorage(Storage):
    """Fixed-window counters shared by every process that opens the same file."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        prefix = f"{SCHEME}://"
        path = Path((uri or "")[len(prefix) :])
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), timeout=10.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS rate_limits "
            "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
        )
        self._purged_at = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _row(self, key: str, now: float) -> tuple[int, float] | None:
        row = self._db.execute(
            "SELECT count, expires_at FROM rate_limits WHERE key = ?", (key,)
        ).fetchone()
        if row is None or float(row[1]) <= now:
            return None
        return int(row[0]), float(row[1])

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = self._row(key, now)
                count, expires_at = (
                    (amount, now + expiry)
                    if found is None
                    else (
                        found[0] + amount,
                        found[1],
                    )
                )
                self._db.execute(
                    "INSERT INTO rate_limits (key, count, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                    "expires_at = excluded.expires_at",
                    (key, count, expires_at),
                )
                if now - self._purged_at > _PURGE_EVERY_SECONDS:
                    self._db.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))
                    self._purged_at = now
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return count

    def get(self, key: str) -> int:
        with self._lock:
            found = self._row(key, time.time())
        return 0 if found is None else found[0]

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._lock:
            found = self._row(key, now)
        return now if found is None else found[1]

    def check(self) -> bool:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._lock:
            deleted = self._db.execute("DELETE FROM rate_limits").rowcount
        return int(deleted)

    def clear(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM rate_limits WHERE key = ?", (key,))
