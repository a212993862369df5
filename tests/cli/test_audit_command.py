"""`desk audit verify` and `desk audit show`, run as real processes on a temp database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from desk.db import make_engine, make_session_factory
from desk.services import audit, schema
from desk.services.access import Actor, Channel
from tests.conftest import SESSION_SETTINGS, TEST_ENVIRON
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A migrated SQLite file with four audit entries."""
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, SESSION_SETTINGS)() as session:
            actor = Actor.system(Channel.CLI)
            for n in range(4):
                audit.record(
                    session,
                    actor,
                    audit.Action.CASE_VIEW,
                    audit.Target("case", "TP-2026-000001", "teija@example.fi"),
                    {"n": n},
                )
            session.commit()
    finally:
        engine.dispose()
    return url


def desk(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(DESK), "audit", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_verify_says_ok_with_the_count(database_url: str) -> None:
    done = desk(database_url, "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok 4 entries"


def test_verify_exits_1_naming_the_edited_entry(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET details = '{\"n\": 9}' WHERE id = 3"))
    engine.dispose()
    done = desk(database_url, "verify")
    assert done.returncode == 1
    assert done.stdout.startswith("broken at entry 3:"), done.stdout


def test_show_prints_a_case_and_a_person(database_url: str) -> None:
    by_case = desk(database_url, "show", "--case", "TP-2026-000001")
    assert by_case.returncode == 0, by_case.stderr
    rows = [json.loads(line) for line in by_case.stdout.splitlines()]
    assert [row["details"]["n"] for row in rows] == [3, 2, 1, 0]
    by_person = desk(database_url, "show", "--person", "Teija@example.fi", "--limit", "2")
    assert len(by_person.stdout.splitlines()) == 2
    assert desk(database_url, "show").returncode == 2
