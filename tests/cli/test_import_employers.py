"""`desk import employers FILE`: 1,000 rows with a few bad ones, as a real process."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.db import make_engine
from desk.models import Employer, KeyAccount
from tests.cli.test_users_command import PASSWORD, desk
from tests.cli.test_users_command import database_url as database_url

ADVISER = "key.adviser@lahti.example"


def business_id(number: int) -> str:
    """A valid Business ID (check digit by the official weights) from a 7-digit number."""
    for n in range(number, number + 100):
        digits = f"{n:07d}"
        remainder = (
            sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        )
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def employers_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("employers") / "employers.csv"
    ids: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["business_id", "name", "municipality", "key_account_email"])
        number = 1000000
        for i in range(1000):
            bid = business_id(number)
            number = int(bid[:7]) + 1
            ids.append(bid)
            municipality = ("398", "Hollola", "Heinola", "")[i % 4]
            out.writerow([bid, f"Yritys {i} Oy", municipality, ADVISER if i % 10 == 0 else ""])
        out.writerow(["1234567-8", "Wrong check digit Oy", "398", ""])  # line 1002
        out.writerow([ids[0], "Twice Oy", "398", ""])  # line 1003
        out.writerow([business_id(9000000), "", "398", ""])  # line 1004: no name
        out.writerow([business_id(9000100), "Far Away Oy", "Helsinki", ""])  # line 1005
        out.writerow([business_id(9000200), "Nobody's Oy", "398", "nobody@x.example"])  # 1006
    return path, ids


def test_import_stores_valid_rows_and_reports_rejected_ones_by_line(
    database_url: str,
    employers_csv: tuple[Path, list[str]],
) -> None:
    created = desk(
        database_url,
        *("users", "create", "--email", ADVISER, "--name", "Key Adviser"),
        *("--role", "adviser", "--authority", "lahti"),
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    path, ids = employers_csv
    done = desk(database_url, "import", "employers", str(path))
    assert done.returncode == 1, done.stderr
    assert "Imported 1000 employer(s), 100 with a key-account adviser; 5 row(s) rejected." in (
        done.stdout
    )
    rejected = [line for line in done.stderr.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in rejected] == [
        "line 1002",
        "line 1003",
        "line 1004",
        "line 1005",
        "line 1006",
    ]
    assert "checksum" in rejected[0] and "earlier line" in rejected[1]
    assert "name: required" in rejected[2] and "municipality: unknown" in rejected[3]
    assert "no active adviser" in rejected[4]

    again = desk(database_url, "import", "employers", str(path))
    assert again.returncode == 1
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Employer)) == 1000
            assert session.scalar(select(func.count()).select_from(KeyAccount)) == 100
            first = session.get(Employer, ids[0])
            second = session.get(Employer, ids[1])
            assert first is not None and first.municipality_code == "398"
            assert second is not None and second.municipality_code == "098"
            account = session.get(KeyAccount, ids[0])
            assert account is not None and account.adviser.email == ADVISER
    finally:
        engine.dispose()


def test_a_file_without_the_columns_is_refused(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id;title\n1;x\n", encoding="utf-8")
    done = desk(database_url, "import", "employers", str(path))
    assert done.returncode == 2
    assert "business_id" in done.stderr
