"""The dialect helpers of desk.db that services use instead of branching on the dialect
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from desk.db import for_update, insert_for, is_postgresql, make_session_factory
from desk.models import ReferenceCounter
from desk.services.cases import next_case_number


def _counter_upsert(session: Session, year: int) -> int:
    """The reference counter's upsert: insert_for's ON CONFLICT on both dialects."""
    return next_case_number(session, year)


def _counter_insert_once(session: Session, year: int) -> int | None:
    stmt = (
        insert_for(session, ReferenceCounter)
        .values(year=year, last_number=7)
        .on_conflict_do_nothing(index_elements=[ReferenceCounter.year])
        .returning(ReferenceCounter.last_number)
    )
    return session.execute(stmt).scalar_one_or_none()


def test_is_postgresql_names_the_dialect(session: Session, engine: Engine) -> None:
    assert is_postgresql(session) is (engine.dialect.name == "postgresql")


def test_insert_for_upserts_on_either_dialect(session: Session) -> None:
    assert [_counter_upsert(session, 1999) for _ in range(3)] == [1, 2, 3]
    assert _counter_insert_once(session, 1998) == 7
    assert _counter_insert_once(session, 1998) is None  # the conflict does nothing
    session.commit()
    assert session.get(ReferenceCounter, 1998).last_number == 7  # type: ignore[union-attr]


def test_for_update_locks_only_on_postgresql(session: Session) -> None:
    stmt = select(ReferenceCounter).where(ReferenceCounter.year == 1999)
    dialect = session.get_bind().dialect
    plain = str(for_update(stmt, session).compile(dialect=dialect))
    skipping = str(for_update(stmt, session, skip_locked=True).compile(dialect=dialect))
    if is_postgresql(session):
        assert plain.endswith("FOR UPDATE") and skipping.endswith("FOR UPDATE SKIP LOCKED")
    else:
        assert "FOR UPDATE" not in plain + skipping  # SQLite serialises writers at BEGIN


@pytest.mark.committed  # another connection (or the app's own engine) must see it
def test_a_skip_locked_reader_passes_over_a_locked_row(session: Session, engine: Engine) -> None:
    _counter_upsert(session, 1997)
    session.commit()
    if not is_postgresql(session):
        return  # SQLite: a second writer waits at BEGIN IMMEDIATE; there are no row locks
    stmt = select(ReferenceCounter).where(ReferenceCounter.year == 1997)
    factory = make_session_factory(engine)
    with factory() as one, factory() as two:
        assert one.scalar(for_update(stmt, one)) is not None
        assert two.scalar(for_update(stmt, two, skip_locked=True)) is None
        one.rollback()
        assert two.scalar(for_update(stmt, two, skip_locked=True)) is not None
        two.rollback()
