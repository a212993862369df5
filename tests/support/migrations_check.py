"""CI check: an empty PostgreSQL database migrates to head, and models and migrations agree.

Run with `make migrations-check` (python -m tests.support.migrations_check).
"""

from __future__ import annotations

import sys

from desk.services import schema
from tests.support.services import postgres_reachable, temporary_postgres_database


def main() -> int:
    problem = postgres_reachable()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    with temporary_postgres_database("desk_migrations") as url:
        schema.upgrade(url)
        print(f"Empty PostgreSQL database migrated to head ({url.rsplit('/', 1)[1]}).")
        schema.check(url)
        print("Models and migrations agree (alembic check).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
