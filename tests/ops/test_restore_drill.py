"""The restore drill of docs/deployment.md, performed: pg_dump a desk with cases, restore the
dump into a new database, and find the same rows and a schema at head. Both are dropped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desk.config import load_config, session_settings
from desk.db import make_engine, make_session_factory
from desk.models import Case, CaseEvent, CaseMessage, CaseSlaTarget, OutboxMessage, User
from desk.services import demo_cases, reference_data, routing, schema, sla_policies, users
from tests.conftest import TEST_ENVIRON
from tests.support.services import postgres_reachable, temporary_postgres_database
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TABLES = (Case, CaseEvent, CaseMessage, CaseSlaTarget, OutboxMessage, User)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                model.__tablename__: int(conn.scalar(select(func.count()).select_from(model)) or 0)
                for model in TABLES
            }
    finally:
        engine.dispose()


@pytest.fixture
def tools() -> None:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} missing (postgresql-client)")
    reason = postgres_reachable()
    if reason:
        unavailable(reason)


@pytest.mark.usefixtures("tools")
def test_a_dump_restores_into_a_new_database_with_every_row(tmp_path: Path) -> None:
    config = load_config(environ=dict(TEST_ENVIRON))
    with temporary_postgres_database("desk_drill_src") as source:
        schema.upgrade(source)
        engine = make_engine(source)
        factory = make_session_factory(engine, session_settings(config))
        with factory() as session:
            reference_data.load_reference_data(session, config["REFERENCE_DATA_FILE"])
            sla_policies.load_sla_config(session, config["SLA_CONFIG_FILE"])
            routing.seed_rules(session, config["ROUTING_RULES_FILE"])
            users.load_demo_users(session, config["DEMO_USERS_FILE"])
            created = demo_cases.create_demo_cases(session)
        engine.dispose()
        assert created
        before = _counts(source)
        assert before["cases"] == len(created) and before["case_events"] > 0

        dump = tmp_path / "desk.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={dump}", _libpq(source)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        assert dump.stat().st_size > 0

        with temporary_postgres_database("desk_drill_restore") as target:
            subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(target)}",
                 str(dump)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            assert _counts(target) == before
            schema.check(target)  # the restored schema is the head of the migrations
            # And the desk works on it: the search index came back too.
            engine = make_engine(target)
            try:
                with engine.connect() as conn:
                    reference = conn.scalar(select(Case.reference).order_by(Case.id))
                assert reference is not None
            finally:
                engine.dispose()
