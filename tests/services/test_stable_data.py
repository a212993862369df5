"""The per-process copies of rarely changing data (desk.services.stable_data): read once,
rebuilt when anything they come from changes (committed, in any session), never left
stale by a change that was rolled back. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from desk.models import ClosureDay, Team
from desk.services import cases, routing, sla_policies, stable_data
from desk.services.reference_data import snapshot, team_ids
from tests.conftest import raw_submission

PH = "paijat-hame-employer-services"


def _team(session: Session) -> Team:
    team = session.scalar(select(Team).where(Team.slug == PH))
    assert team is not None
    return team


def test_a_copy_is_reused_until_its_data_changes(session: Session) -> None:
    first = snapshot(session)
    session.commit()
    assert snapshot(session) is first  # a new transaction, the same stamp: the same copy
    _team(session).name_en = "Renamed employer services"
    session.commit()
    renamed = snapshot(session)
    assert renamed is not first and renamed.teams[PH].names["en"] == "Renamed employer services"


def test_a_rolled_back_change_leaves_no_stale_copy(session: Session) -> None:
    before = snapshot(session).teams[PH].names["en"]
    session.commit()
    nested = session.begin_nested()
    _team(session).name_en = "Never committed"
    session.flush()  # the stamp changes in this transaction ...
    assert snapshot(session).teams[PH].names["en"] == "Never committed"
    nested.rollback()  # ... and back
    session.rollback()
    assert snapshot(session).teams[PH].names["en"] == before


def test_calendars_follow_closure_days(session: Session) -> None:
    calendar = sla_policies.load_calendars(session).for_authority("lahti")
    day = date(2099, 6, 1)  # a Monday
    assert calendar.is_open_day(day)
    session.add(ClosureDay(day=day, authority_slug="lahti", note="test"))
    session.commit()
    assert not sla_policies.load_calendars(session).for_authority("lahti").is_open_day(day)


def test_team_ids_and_rules_come_from_the_copies(session: Session) -> None:
    assert team_ids(session)[PH] == _team(session).id
    number, rules = routing.rules_in_force(session)
    assert number >= 1 and rules[-1].team  # a catch-all rule at the end


def test_an_intake_reads_the_stamp_once_instead_of_the_data(session: Session) -> None:
    cases.submit_case(session, raw_submission())  # warms the copies
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        cases.submit_case(session, raw_submission())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    cached_tables = (
        "authorities",
        "municipalities",
        "needs",
        "teams",
        "routing_rule_set",
        "sla_business_hours",
        "sla_closure_days",
    )
    # A read of cached data selects that table's columns first ("SELECT teams.id, ...").
    reads = [s.lstrip() for s in statements if s.lstrip().startswith("SELECT ")]
    assert not [s for s in reads if s.startswith(tuple(f"SELECT {t}" for t in cached_tables))]
    assert sum("data_stamps" in s for s in statements) == 1
    stable_data.forget_all()
