"""`desk seed bench --cases N`: the set-based seeder of `make bench`, on a real PostgreSQL
database, run as a real process (progress bar, migrations and all)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desk.db import make_engine, make_session_factory
from desk.domain.routing import RoutingRequest, route
from desk.i18n import catalogue
from desk.models import Case, CaseSlaTarget, OutboxMessage, Team
from desk.services import cases, reference_data, routing, sla
from desk.services.bench_seed import NEED_SHARE, POPULATION
from tests.conftest import SESSION_SETTINGS, TEST_ENVIRON, raw_submission
from tests.support.services import postgres_reachable, temporary_postgres_database
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"
COUNT = 4000

pytestmark = pytest.mark.postgres
Seeded = tuple[str, subprocess.CompletedProcess[str]]


def desk(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(DESK), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    problem = postgres_reachable()
    if problem:
        unavailable(problem)
    with temporary_postgres_database("desk_seed") as url:
        assert desk(url, "setup", "--no-demo-cases").returncode == 0
        yield url, desk(url, "seed", "bench", "--cases", str(COUNT))


def test_seeds_the_cases_with_their_numbers_clocks_messages_and_events(seeded: Seeded) -> None:
    url, done = seeded
    assert done.returncode == 0, done.stderr
    assert f"Seeded {COUNT} cases" in done.stdout
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Case)) == COUNT
        # Numbered 1..n within each year, in time order, and the counters stand at the end.
        rows = conn.execute(
            text(
                "SELECT year, count(*), min(number), max(number), count(DISTINCT reference), "
                "bool_and(reference = 'TP-' || year || '-' || lpad(number::text, 6, '0')), "
                "bool_and(extract(year FROM created_at AT TIME ZONE 'Europe/Helsinki') = year) "
                "FROM cases GROUP BY year"
            )
        ).all()
        assert len(rows) >= 3  # three years
        for _year, n, low, high, distinct, formatted, in_year in rows:
            assert (low, high, distinct, formatted, in_year) == (1, n, n, True, True)
        counters = {
            y: n for y, n in conn.execute(text("SELECT year, last_number FROM reference_counters"))
        }
        assert counters == {year: n for year, n, *_ in rows}
        # Two targets a case; a message from the employer, and staff's answer once answered.
        assert conn.scalar(select(func.count()).select_from(CaseSlaTarget)) == 2 * COUNT
        answered = conn.scalar(
            text("SELECT count(*) FROM cases WHERE first_response_at IS NOT NULL")
        )
        assert conn.scalar(text("SELECT count(*) FROM case_messages")) == COUNT + answered
        assert conn.scalar(text("SELECT count(*) FROM case_events WHERE kind = 'created'")) == COUNT
        # Silent like history: nothing to send.
        assert conn.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        # The full-text index covers the seeded rows (a generated column on PostgreSQL).
        hits = conn.scalar(
            text(
                "SELECT count(*) FROM cases "
                "WHERE search_vector @@ plainto_tsquery('finnish', 'hitsaajaa')"
            )
        )
        assert 0 < hits < COUNT
    engine.dispose()


def test_the_mix_is_realistic(seeded: Seeded) -> None:
    url, _done = seeded
    engine = make_engine(url)
    with engine.connect() as conn:
        share = {
            code: part
            for code, part in conn.execute(
                text("SELECT municipality_code, count(*)::float / :n FROM cases GROUP BY 1"),
                {"n": COUNT},
            )
        }
        open_share = conn.scalar(
            text(
                "SELECT count(*)::float / :n FROM cases WHERE status IN ('new', 'open', 'waiting')"
            ),
            {"n": COUNT},
        )
        recent_open = conn.scalar(
            text(
                "SELECT count(*) FILTER (WHERE status IN ('new', 'open', 'waiting'))::float / "
                "count(*) FROM cases WHERE id > :n * 0.9"
            ),
            {"n": COUNT},
        )
        breached = conn.scalar(
            text("SELECT count(*)::float / :n FROM case_sla_targets WHERE met_at > due_at"),
            {"n": 2 * COUNT},
        )
        done_open_mismatch = conn.scalar(
            text(
                "SELECT count(*) FROM cases WHERE (resolved_at IS NULL) <> "
                "(status IN ('new', 'open', 'waiting'))"
            )
        )
    engine.dispose()
    lahti = POPULATION["398"] / sum(POPULATION.values())
    assert share["398"] == pytest.approx(lahti, abs=0.05)
    assert share["081"] < share["560"] < share["098"] < share["398"]  # by population
    assert open_share == pytest.approx(0.20, abs=0.04)
    assert recent_open > 0.3  # the open ones are mostly the recent ones
    assert 0.02 < breached < 0.15
    assert done_open_mismatch == 0


def test_cases_are_routed_by_the_real_rules_and_the_desk_works_on_them(seeded: Seeded) -> None:
    url, _done = seeded
    engine = make_engine(url)
    factory = make_session_factory(engine, SESSION_SETTINGS)
    with factory() as session:
        reference = reference_data.snapshot(session)
        _version, rules = routing.rules_in_force(session)
        teams = {t.id: t.slug for t in session.scalars(select(Team))}
        pairs = session.execute(
            text("SELECT DISTINCT municipality_code, need_code, team_id FROM cases")
        ).all()
        assert {need for _m, need, _t in pairs} <= set(NEED_SHARE)
        for municipality, need, team_id in pairs:
            decision = route(
                RoutingRequest(need=need, municipality_code=municipality),
                rules,
                reference,
                catalogue,
            )
            assert teams[team_id] == decision.team
        # Nothing is due for the sweep until something arms it.
        assert sla.sweep(session).cases == 0
        # A new request takes the next number of the year.
        year = cases.submit_case(session, raw_submission()).reference.split("-")[1]
        last = session.scalar(
            text("SELECT max(number) FROM cases WHERE year = :y AND id <= :n"),
            {"y": int(year), "n": COUNT},
        )
        newest = session.scalars(select(Case).order_by(Case.id.desc()).limit(1)).one()
        assert newest.number == (last or 0) + 1
        assert newest.id == COUNT + 1
        session.rollback()
    engine.dispose()


def test_refuses_a_database_that_has_cases(seeded: Seeded) -> None:
    url, _done = seeded
    again = desk(url, "seed", "bench", "--cases", "10")
    assert again.returncode == 1
    assert "empty database only" in again.stderr


def test_refuses_sqlite(tmp_path: Path) -> None:
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    done = desk(f"sqlite:///{tmp_path / 'desk.sqlite3'}", "seed", "bench", "--cases", "10")
    assert done.returncode == 1
    assert "needs PostgreSQL" in done.stderr
