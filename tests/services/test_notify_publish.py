"""Who hears of a case event, on which channel, as they chose (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from desk.models import Notification, OutboxMessage, User
from desk.services import cases
from desk.services.notify import preferences, publish
from tests.conftest import raw_submission
from tests.support.actors import as_staff


def kinds(session: Session) -> list[str]:
    return [row.kind for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def bells(session: Session) -> list[tuple[int, str]]:
    stmt = select(Notification).order_by(Notification.user_id, Notification.id)
    return [(n.user_id, n.event_type) for n in session.scalars(stmt)]


def choose(session: Session, user: User, **choices: str) -> None:
    defaults = {
        entry.key: delivery.value for entry, delivery in preferences.choices_of(session, user.id)
    }
    preferences.save_choices(session, user, {**defaults, **choices})


def test_status_changes_tell_the_employer_what_happened(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.claim(session, as_staff(adviser), case.id)  # open: nothing for the employer
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    cases.change_status(session, as_staff(adviser), case.id, "resolved")
    cases.change_status(session, as_staff(adviser), case.id, "closed")
    assert [k for k in kinds(session) if k.startswith("email.")] == [
        "email.case_received",
        "email.case_waiting",
        "email.case_resolved",
        "email.case_closed",
    ]
    rows = list(session.scalars(select(OutboxMessage)))
    assert {row.case_id for row in rows} == {case.id}  # the case page can list them
    assert {row.channel for row in rows} == {"email"}


def test_a_new_case_rings_the_team_bell_without_email(session: Session, make_user: Any) -> None:
    first = make_user("a@example.fi")
    second = make_user("b@example.fi")
    make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    cases.submit_case(session, raw_submission())
    assert bells(session) == [(first.id, "new_case"), (second.id, "new_case")]
    assert "notify.new_case" not in kinds(session)  # default for new cases: the bell only


def test_employer_answer_follows_each_persons_choice(session: Session, make_user: Any) -> None:
    now = make_user("now@example.fi")
    later = make_user("later@example.fi")
    quiet = make_user("quiet@example.fi")
    choose(session, later, employer_replied="digest")
    choose(session, quiet, employer_replied="in_app")
    case = cases.submit_case(session, raw_submission())
    cases.employer_reply(session, case, "Any news?")

    replies = list(
        session.scalars(select(Notification).where(Notification.event_type == "employer_replied"))
    )
    assert sorted(n.user_id for n in replies) == sorted([now.id, later.id, quiet.id])
    emailed = [
        row.payload["user_id"]
        for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "email.employer_reply")
        )
    ]
    assert emailed == [now.id]
    by_user = {n.user_id: n for n in replies}
    assert by_user[now.id].outbox_id is not None
    assert by_user[later.id].digest_state == "pending"
    assert by_user[quiet.id].digest_state == "" and by_user[quiet.id].outbox_id is None


def test_the_person_who_acts_is_not_notified(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.claim(session, as_staff(adviser), case.id)
    assert "case_assigned" not in [event for _user, event in bells(session)]
    assert "notify.case_assigned" not in kinds(session)


def test_assignment_by_someone_else_reaches_the_assignee(session: Session, make_user: Any) -> None:
    adviser = make_user("adviser@example.fi")
    lead = make_user("lead@example.fi")
    case = cases.submit_case(session, raw_submission())
    # The routing engine's assignment calls this when it assigns a case (actor: a person or None).
    publish.case_event(session, case, "case.assigned", lead, assignee_id=adviser.id)
    session.commit()
    assigned = list(
        session.scalars(select(Notification).where(Notification.event_type == "case_assigned"))
    )
    assert [n.user_id for n in assigned] == [adviser.id]
    (row,) = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "notify.case_assigned")
    )
    assert row.payload == {"case_id": case.id, "user_id": adviser.id, "assignee_id": adviser.id}


def test_a_transfer_in_reaches_the_new_team(session: Session, make_user: Any) -> None:
    member = make_user("member@example.fi")
    case = cases.submit_case(session, raw_submission())
    publish.case_event(session, case, "case.transferred", None, from_team="regional-intake")
    session.commit()
    (row,) = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "notify.case_transferred_in")
    )
    assert row.payload["user_id"] == member.id and row.payload["from_team"] == "regional-intake"


def test_a_team_that_wants_email_costs_one_outbox_insert_not_one_per_person(
    session: Session, make_user: Any
) -> None:
    members = [make_user(f"member{n}@example.fi") for n in range(6)]
    for member in members:
        choose(session, member, new_case="immediate")
    cases.submit_case(session, raw_submission())  # warms the process's copies
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        case = cases.submit_case(session, raw_submission())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    inserts = [s for s in statements if s.lstrip().startswith("INSERT INTO outbox")]
    # PostgreSQL: the employer's confirmation (flushed with the case) and one multi-row
    # INSERT for the whole team. SQLite's driver runs the batch row by row (same rows).
    if engine.dialect.name == "postgresql":
        assert len(inserts) <= 2
    stmt = select(Notification).where(Notification.case_id == case.id)
    rung = list(session.scalars(stmt))
    assert sorted(n.user_id for n in rung) == sorted(m.id for m in members)
    emails = {
        row.id: row.payload["user_id"]
        for row in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "notify.new_case"
            )
        )
    }
    # Each bell points at its own person's email.
    assert {n.outbox_id: n.user_id for n in rung} == emails
