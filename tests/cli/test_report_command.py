"""`desk report sla`, the acceptance contract, run as a real process on a temp database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from desk.db import make_engine, make_session_factory
from desk.services import reference_data, routing, schema
from tests.conftest import REFERENCE_FILE, ROUTING_FILE, SESSION_SETTINGS, TEST_ENVIRON
from tests.support import sla_report_data as data
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded SQLite file holding the hand-computed data set."""
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'desk.sqlite3'}"
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, SESSION_SETTINGS)() as session:
            reference_data.load_reference_data(session, REFERENCE_FILE)
            routing.seed_rules(session, ROUTING_FILE)
            data.build(session)
    finally:
        engine.dispose()
    return url


def desk_report(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(DESK), "report", "sla", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def report_json(url: str, *args: str) -> dict:
    done = desk_report(url, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # exactly one JSON object on stdout


def test_json_is_the_contract_with_the_hand_computed_figures(database_url: str) -> None:
    # The process counts against the real now; every due instant of the period has passed
    # since 2026-05-01, so the figures are those computed for data.NOW.
    assert report_json(database_url, "--from", "2026-03-01", "--to", "2026-04-30") == data.EXPECTED


def test_authority_narrows_to_its_teams(database_url: str) -> None:
    result = report_json(
        database_url, "--from", "2026-03-01", "--to", "2026-04-30", "--authority", "lahti"
    )
    assert result["authorities"] == {"lahti": data.LAHTI}
    assert result["total"] == data.LAHTI
    assert list(result["teams"]) == [data.LES, "regional-intake", "regional-international"]


def test_the_readable_table_shows_every_team(database_url: str) -> None:
    done = desk_report(database_url, "--from", "2026-03-01", "--to", "2026-04-30")
    assert done.returncode == 0, done.stderr
    assert "SLA report 2026-03-01 .. 2026-04-30" in done.stdout
    for team in data.TEAMS:
        assert team in done.stdout
    total = next(line for line in done.stdout.splitlines() if line.startswith("total"))
    assert total.split()[1:] == [
        "10", "5", "6", "4", "60.0", "4", "5", "44.4", "210.0", "558.0", "720.0", "1080.0"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-01"], "'--from': '2026-02-30' is not a date"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "'--to': is before --from"),
        (["--from", "1999-03-02", "--to", "2026-03-01"], "'--from': is outside the years"),
        (["--from", "2026-03-01", "--to", "2026-03-01", "--authority", "x"], "not an authority"),
        (["--to", "2026-03-01"], "Missing option '--from'"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(database_url: str, args, message) -> None:
    done = desk_report(database_url, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
