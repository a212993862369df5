"""`desk admin ...` as real processes on a desk set up with its demo cases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from desk.db import make_engine
from tests.cli.test_users_command import DESK, desk
from tests.support.tiers import unavailable


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    url = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'desk.sqlite3'}"
    done = desk(url, "setup")  # development: demo staff and six demo cases
    assert done.returncode == 0, done.stderr
    return url


def case_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM cases")) or 0)
    finally:
        engine.dispose()


def test_every_admin_command_has_help(demo_url: str) -> None:
    for command in ("health", "export-cases", "rebuild-search", "routing-dry-run"):
        done = desk(demo_url, "admin", command, "--help")
        assert done.returncode == 0 and "Usage:" in done.stdout, command


def test_export_cases_as_csv_and_json_lines(demo_url: str, tmp_path: Path) -> None:
    done = desk(demo_url, "admin", "export-cases", "-o", str(tmp_path / "cases.csv"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader((tmp_path / "cases.csv").open(encoding="utf-8")))
    total = case_count(demo_url)
    assert total >= 6 and len(rows) == total
    assert all(row["reference"].startswith("TP-") and row["team"] for row in rows)
    assert "email" not in rows[0] and "contact_name" not in rows[0]
    assert f"Exported {total} case(s)." in done.stderr
    done = desk(demo_url, "admin", "export-cases", "--format", "json", "-o", "-")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["reference"] for r in lines) == sorted(r["reference"] for r in rows)
    future = desk(demo_url, "admin", "export-cases", "--from", "2999-01-01", "-o", "-")
    assert future.stdout.strip().splitlines() == [",".join(_columns())]
    bad = desk(demo_url, "admin", "export-cases", "--from", "yesterday", "-o", "-")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def _columns() -> tuple[str, ...]:
    from desk.services.admin_tools import EXPORT_COLUMNS

    return EXPORT_COLUMNS


def test_rebuild_search_restores_a_wiped_index(demo_url: str) -> None:
    engine = make_engine(demo_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM case_search"))
        done = desk(demo_url, "admin", "rebuild-search")
        assert done.returncode == 0, done.stderr
        with engine.connect() as conn:
            indexed = conn.scalar(text("SELECT count(*) FROM case_search WHERE rowid < 0"))
            cases = conn.scalar(text("SELECT count(*) FROM cases"))
        assert indexed == cases == case_count(demo_url)
        assert "Search index rebuilt" in done.stdout
    finally:
        engine.dispose()


def test_routing_dry_run_and_health(demo_url: str) -> None:
    done = desk(demo_url, "admin", "routing-dry-run", "--days", "60", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] == case_count(demo_url)
    assert body["moved"] == 0 and body["has_draft"] is False
    health = desk(demo_url, "admin", "health", "--json")
    assert health.returncode == 0, health.stderr + health.stdout
    report = json.loads(health.stdout)
    assert report["outbox"]["backlog"] > 0  # the demo cases' emails, not yet relayed
    assert report["broker"] == "ok" and report["ready"] is True
    assert set(report["open_cases"]) == {"on_track", "at_risk", "breached", "paused"}
    assert sum(report["open_cases"].values()) == case_count(demo_url)
    old = desk(demo_url, "admin", "health")
    assert "Outbox backlog:" in old.stdout
