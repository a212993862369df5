"""`desk sla due`: the acceptance contract, run as a real subprocess of the installed command."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from desk.config import PROJECT_ROOT

DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


def desk(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # No database is touched: point the configuration at one that does not exist.
    env = {
        **os.environ,
        "DESK_DATABASE_URL": f"sqlite:///{tmp_path / 'never-created.sqlite3'}",
    }
    return subprocess.run(
        [str(DESK), "sla", "due", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture(autouse=True)
def _installed() -> None:
    assert DESK.exists(), f"{DESK} missing: run `make install`"


@pytest.mark.parametrize(
    ("args", "due"),
    [
        (["--start", "2026-12-23T15:00:00+02:00", "--minutes", "120"], "2026-12-28T09:00:00+02:00"),
        (["--start", "2026-12-23T13:00:00Z", "--minutes", "60"], "2026-12-23T16:00:00+02:00"),
        (["--start", "2026-03-27T15:00:00+02:00", "--minutes", "120"], "2026-03-30T09:00:00+03:00"),
        (["--start", "2026-03-07T12:00:00-05:00", "--minutes", "0"], "2026-03-09T08:00:00+02:00"),
        (
            [
                "--start",
                "2026-12-23T15:00:00+02:00",
                "--need",
                "change-security",
                "--target",
                "first-response",
            ],
            "2026-12-28T11:00:00+02:00",
        ),
        (
            [
                "--start",
                "2026-03-02T08:00:00+02:00",
                "--need",
                "recruitment",
                "--target",
                "resolution",
            ],
            "2026-03-13T16:00:00+02:00",
        ),
    ],
)
def test_due_prints_json_with_the_helsinki_offset(args, due, tmp_path) -> None:
    result = desk(*args, "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"due": due}
    assert not (tmp_path / "never-created.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "yesterday", "--minutes", "5"], "not an ISO 8601 time"),
        (["--start", "2026-13-01T10:00:00Z", "--minutes", "5"], "not an ISO 8601 time"),
        (["--start", "2026-12-23T15:00:00Z", "--minutes", "-1"], "-1 is not in the range"),
        (["--start", "2026-12-23T15:00:00Z", "--minutes", "ten"], "is not a valid integer"),
        (
            ["--start", "2026-12-23T15:00:00Z", "--need", "nope", "--target", "resolution"],
            "unknown need 'nope'",
        ),
        (
            ["--start", "2026-12-23T15:00:00Z", "--need", "job-ad", "--target", "answer"],
            "'answer' is not one of",
        ),
        (["--start", "2026-12-23T15:00:00Z", "--need", "job-ad"], "--need needs --target"),
        (["--start", "2026-12-23T15:00:00Z"], "give either --minutes N or --need"),
        (
            ["--start", "2026-12-23T15:00:00Z", "--minutes", "5", "--need", "job-ad"],
            "give either --minutes N or --need",
        ),
        (["--minutes", "5"], "Missing option '--start'"),
        (["--start", "2026-12-23T15:00:00Z", "--minutes", "99999999999"], "too far ahead"),
    ],
)
def test_bad_arguments_exit_with_status_2_and_say_why(args, message, tmp_path) -> None:
    result = desk(*args, "--json", tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
