"""The access log: entries chain by hash, the database refuses edits, verify finds tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desk.models import AuditEntry
from desk.services import audit, cases
from desk.services.access import Actor, Channel
from tests.conftest import raw_submission


def _drop_triggers(session: Session) -> None:
    """What an attacker with database rights does first (undone by the test's rollback)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_entries_append_only ON audit_entries"))
    else:
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
        session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def _three(session: Session, make_user) -> tuple[Actor, list[AuditEntry]]:
    user = make_user("Auditor@Example.fi", role="manager")
    actor = Actor.staff(user, Channel.WEB, "192.0.2.7")
    case = cases.submit_case(session, raw_submission(email="Teija@Example.fi"))
    entries = [
        audit.record(session, actor, audit.Action.CASE_VIEW, audit.Target.case(case)),
        audit.record(session, actor, audit.Action.EXPORT, details={"format": "csv", "n": 3}),
        audit.record(session, Actor.system(), audit.Action.RETENTION, details={"ä": "ö"}),
    ]
    session.commit()
    return actor, entries


def test_entries_chain_and_verify(session: Session, make_user) -> None:
    _actor, entries = _three(session, make_user)
    first, second, third = entries
    assert second.id == first.id + 1 and third.id == second.id + 1
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert first.actor_email == "auditor@example.fi" and first.ip == "192.0.2.7"
    assert first.subject_email == "teija@example.fi"
    session.expire_all()
    assert audit.verify(session) is None
    assert audit.verify(session, page=1) is None  # page boundaries change nothing
    assert audit.count(session) >= 3


def test_the_database_refuses_update_and_delete(session: Session, make_user) -> None:
    _, entries = _three(session, make_user)
    for statement in (
        "UPDATE audit_entries SET action = 'x' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement), {"id": entries[0].id})
        nested.rollback()


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE audit_entries SET ip = '203.0.113.9' WHERE id = :second", "second"),
        ("UPDATE audit_entries SET details = '{}' WHERE id = :third", "third"),
        ("DELETE FROM audit_entries WHERE id = :second", "second"),
        ("DELETE FROM audit_entries WHERE id = :third", "third"),
    ],
)
def test_verify_finds_the_first_tampered_entry(
    session: Session, make_user, statement: str, broken_at: str
) -> None:
    _, (_first, second, third) = _three(session, make_user)
    ids = {"second": second.id, "third": third.id}
    _drop_triggers(session)
    session.execute(text(statement), ids)
    session.expire_all()
    broken = audit.verify(session, page=2)
    assert broken is not None and broken.entry_id == ids[broken_at], broken


def test_queries_per_case_and_person_are_keyset_paged(session: Session, make_user) -> None:
    user = make_user("reader@example.fi", role="manager")
    actor = Actor.staff(user, Channel.WEB)
    case = cases.submit_case(session, raw_submission(email="paged@example.fi"))
    made = [
        audit.record(session, actor, audit.Action.CASE_VIEW, audit.Target.case(case))
        for _ in range(5)
    ]
    session.commit()
    page1 = audit.for_case(session, case.reference, limit=3)
    page2 = audit.for_case(session, case.reference, before_id=page1[-1].id, limit=3)
    assert [e.id for e in page1 + page2] == [e.id for e in reversed(made)]
    assert len(audit.for_person(session, "PAGED@example.fi", limit=10)) == 5
    assert len(audit.for_person(session, "reader@example.fi", limit=10)) == 5
