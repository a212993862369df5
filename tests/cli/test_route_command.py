"""`desk route ... --json`, the acceptance contract, run as a real process on a temp database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from desk.db import make_engine, make_session_factory
from desk.domain.routing_rules import RawRule
from desk.services import key_accounts, routing_rules, users
from tests.conftest import TEST_ENVIRON
from tests.support.actors import as_staff
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty SQLite file: the first `desk route` must migrate and seed it itself."""
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    return f"sqlite:///{tmp_path_factory.mktemp('cli') / 'desk.sqlite3'}"


def desk_route(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(DESK), "route", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def route_json(url: str, *args: str) -> dict:
    done = desk_route(url, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # exactly one JSON object on stdout


def test_an_empty_database_is_created_and_seeded_then_routes(database_url: str) -> None:
    result = route_json(database_url, "--municipality", "Lahtis", "--need", "recruitment")
    assert result["team"] == "lahti-employer-services"
    assert result["authority"] == "lahti"
    assert result["rule"] == "lahti"
    assert result["reason"] == (
        "Ohjattu: Lahden työllisyyspalvelut, Lahden työnantajapalvelut, koska työpaikan kunta "
        "on Lahti (398)."
    )
    assert (result["rule_version"], result["municipality"]) == (1, "398")


@pytest.mark.parametrize(
    ("args", "team", "authority", "rule"),
    [
        (
            ["--municipality", " gustav ADOLFS ", "--need", "job-ad"],
            "paijat-hame-employer-services",
            "paijat-hame",
            "paijat-hame",
        ),
        (
            ["--municipality", "Tampere", "--need", "startup"],
            "regional-intake",
            "lahti",
            "outside-region",
        ),
        (
            ["--municipality", "560", "--need", "international"],
            "regional-international",
            "lahti",
            "international",
        ),
        (
            ["--municipality", "398", "--need", "change-security", "--affected-employees", "10"],
            "regional-change-security",
            "paijat-hame",
            "change-security-large",
        ),
        (
            ["--municipality", "Itis", "--need", "change-security", "--affected-employees", "9"],
            "paijat-hame-employer-services",
            "paijat-hame",
            "paijat-hame",
        ),
    ],
)
def test_routes_as_domain_md_says(database_url, args, team, authority, rule) -> None:
    result = route_json(database_url, *args, "--language", "en")
    assert (result["team"], result["authority"], result["rule"]) == (team, authority, rule)
    assert result["reason"].startswith("Routed to ")


def test_unknown_need_exits_2_listing_the_valid_codes(database_url: str) -> None:
    done = desk_route(database_url, "--municipality", "Lahti", "--need", "astrology", "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "unknown need 'astrology'" in done.stderr
    for code in ("recruitment", "job-ad", "change-security", "international", "other"):
        assert code in done.stderr


def test_bad_business_id_exits_2(database_url: str) -> None:
    done = desk_route(
        database_url, "--municipality", "Lahti", "--need", "recruitment", "--business-id", "123"
    )
    assert done.returncode == 2 and "Business ID" in done.stderr


def test_human_output(database_url: str) -> None:
    done = desk_route(
        database_url, "--municipality", "Hartola", "--need", "recruitment", "--language", "sv"
    )
    assert done.returncode == 0, done.stderr
    assert "Team:      paijat-hame-employer-services" in done.stdout
    assert "Authority: paijat-hame" in done.stdout
    assert "Rule:      paijat-hame (rule set version 1)" in done.stdout
    assert "Reason:    Styrt till" in done.stdout and "Gustav Adolfs (081)" in done.stdout


def test_uses_the_rules_and_key_accounts_in_the_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            admin = users.upsert_user(
                session,
                email="admin@example.fi",
                name="Admin",
                password="pw-123456",
                role="admin",
                authority="lahti",
                teams=[],
                languages=["fi"],
            )
            adviser = users.upsert_user(
                session,
                email="ka@example.fi",
                name="Ka",
                password="pw-123456",
                role="adviser",
                authority="lahti",
                teams=["lahti-employer-services"],
                languages=["fi"],
            )
            session.commit()
            key_accounts.name_key_account(session, as_staff(admin), "0112038-9", adviser.id)
            routing_rules.add(
                session,
                as_staff(admin),
                1,
                RawRule(id="key-accounts", team="lahti-employer-services", key_account="yes"),
                before="international",
            )
            routing_rules.publish(session, as_staff(admin), 2)
    finally:
        engine.dispose()
    result = route_json(
        database_url,
        "--municipality",
        "Sysmä",
        "--need",
        "recruitment",
        "--business-id",
        "0112038-9",
        "--language",
        "en",
    )
    assert (result["team"], result["rule"], result["rule_version"]) == (
        "lahti-employer-services",
        "key-accounts",
        2,
    )
    assert result["key_account_adviser"] == "ka@example.fi"
    assert "key-account adviser" in result["reason"]
    other = route_json(database_url, "--municipality", "Sysmä", "--need", "recruitment")
    assert (other["team"], other["key_account_adviser"]) == ("paijat-hame-employer-services", None)
