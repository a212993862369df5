"""`desk import cases FILE`, the acceptance contract, run as a real process on a temp database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.db import make_engine
from desk.models import Case, CaseEvent, CaseMessage, CaseSlaTarget, OutboxMessage
from desk.models.notification import Notification
from tests.conftest import TEST_ENVIRON
from tests.domain.test_history import example
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """An empty SQLite file: the import migrates and seeds it itself, like `desk route`."""
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    return f"sqlite:///{tmp_path / 'desk.sqlite3'}"


def desk_import(url: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(DESK), "import", "cases", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(path: Path, *rows: dict[str, Any] | str) -> Path:
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )
    path.write_text(text, encoding="utf-8")
    return path


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                model.__tablename__: int(conn.scalar(select(func.count()).select_from(model)) or 0)
                for model in (
                    Case,
                    CaseSlaTarget,
                    CaseMessage,
                    CaseEvent,
                    OutboxMessage,
                    Notification,
                )
            }
    finally:
        engine.dispose()


def test_a_valid_file_imports_silently_exits_0_and_twice_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    file = write(tmp_path / "cases.jsonl", example(), example(external_id="URA-00018", events=[]))
    done = desk_import(database_url, file)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Imported 2 case(s); 0 already imported; 0 line(s) rejected."
    assert done.stderr == ""  # no progress bar without a terminal, no rejected lines
    expected = {
        "cases": 2,
        "case_sla_targets": 4,
        "case_messages": 3,
        "case_events": 12,
        "outbox": 0,
        "notifications": 0,
    }
    assert counts(database_url) == expected

    again = desk_import(database_url, file)
    assert again.returncode == 0, again.stderr
    assert "Imported 0 case(s); 2 already imported" in again.stdout
    assert counts(database_url) == expected

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(Case.reference, Case.status, Case.sla_next_check_at).where(
                    Case.external_id == "URA-00017"
                )
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("TP-2026-000001", "closed", None)


def test_rejected_lines_go_to_stderr_with_their_numbers_and_exit_1(
    database_url: str, tmp_path: Path
) -> None:
    file = write(
        tmp_path / "mixed.jsonl",
        example(external_id="OK-1"),
        example(external_id="BAD-1", email="nobody"),
        "",
        "not json",
        example(external_id="BAD-2", events=[{"type": "teleport", "at": "2026-02-04T10:00Z"}]),
        example(external_id="OK-2", team="regional-intake"),
    )
    done = desk_import(database_url, file)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "line 2: email: invalid",
        "line 4: not valid JSON (Expecting value at column 1)",
        "line 5: events[0].type: unknown event type 'teleport'",
    ]
    assert "Imported 2 case(s); 0 already imported; 3 line(s) rejected." in done.stdout
    assert counts(database_url)["cases"] == 2


def test_a_missing_file_is_a_usage_error(database_url: str, tmp_path: Path) -> None:
    done = desk_import(database_url, tmp_path / "nowhere.jsonl")
    assert done.returncode == 2 and "does not exist" in done.stderr
