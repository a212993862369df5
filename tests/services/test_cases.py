"""Case use cases, on SQLite and PostgreSQL (the `session` fixture is parametrised)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.intake import InvalidSubmission
from desk.models import Case, OutboxMessage
from desk.services import cases
from desk.services.errors import Conflict, Forbidden, NotFound
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from tests.support.queues import queued


def outbox_kinds(session: Session) -> list[tuple[str, dict]]:
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(row.kind, row.payload) for row in rows]


def test_submit_routes_stores_and_queues_the_confirmation(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(), now=datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert case.reference == "TP-2026-000001"
    assert case.team.slug == "paijat-hame-employer-services"
    assert case.authority_slug == "paijat-hame"
    assert case.routing_rule == "paijat-hame"
    assert case.routing_reason.endswith("koska työpaikan kunta on Orimattila (560).")
    assert case.status == "new"
    assert len(case.employer_token) >= 40
    assert [e.kind for e in case.events] == ["created", "routed"]
    assert outbox_kinds(session) == [("email.case_received", {"case_id": case.id})]


def test_references_count_up_within_a_year_and_restart_next_year(session: Session) -> None:
    first = cases.submit_case(
        session, raw_submission(), now=datetime(2026, 12, 31, 21, 59, tzinfo=UTC)
    )
    second = cases.submit_case(
        session, raw_submission(), now=datetime(2026, 12, 31, 21, 59, tzinfo=UTC)
    )
    # 22:00 UTC on 31 December is already New Year in Helsinki.
    third = cases.submit_case(
        session, raw_submission(), now=datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    )
    assert [first.reference, second.reference, third.reference] == [
        "TP-2026-000001",
        "TP-2026-000002",
        "TP-2027-000001",
    ]


def test_invalid_submission_stores_nothing(session: Session) -> None:
    with pytest.raises(InvalidSubmission) as info:
        cases.submit_case(session, raw_submission(business_id="0112038-8", email=""))
    assert info.value.errors == {"business_id": "checksum", "email": "required"}
    session.rollback()
    assert session.scalars(select(Case)).all() == []
    assert outbox_kinds(session) == []


@pytest.mark.parametrize(
    ("municipality", "need", "affected", "team"),
    [
        ("Lahtis", "recruitment", "", "lahti-employer-services"),
        ("Itis", "job-ad", "", "paijat-hame-employer-services"),
        ("Tampere", "recruitment", "", "regional-intake"),
        ("560", "international", "", "regional-international"),
        ("398", "change-security", "25", "regional-change-security"),
    ],
)
def test_routing_by_municipality_and_need(session, municipality, need, affected, team) -> None:
    case = cases.submit_case(
        session, raw_submission(municipality=municipality, need=need, affected_employees=affected)
    )
    assert case.team.slug == team


def test_unknown_municipality_keeps_what_the_employer_typed(session: Session) -> None:
    case = cases.submit_case(
        session, raw_submission(municipality="other", municipality_other="Kuopio")
    )
    assert case.municipality_code is None
    assert case.municipality_text == "Kuopio"
    assert "Kuopio" in case.routing_reason


def test_adviser_journey_claim_reply_note_status(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    assert [c.id for c in queued(session, adviser)] == [case.id]

    cases.claim(session, as_staff(adviser), case.id)
    assert (case.status, case.assignee_id) == ("open", adviser.id)

    cases.add_note(session, as_staff(adviser), case.id, "Called them, they prefer mornings.")
    cases.reply(session, as_staff(adviser), case.id, "Hello! Which dates suit you?")
    assert case.first_response_at is not None
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    assert case.status == "waiting"

    public = cases.public_messages(case)
    assert [m.body for m in public] == ["Hello! Which dates suit you?"]
    kinds = [e.kind for e in case.events]
    assert kinds == [
        "created",
        "routed",
        "claimed",
        "status_changed",
        "note_added",
        "replied",
        "status_changed",
    ]
    reply_rows = [p for k, p in outbox_kinds(session) if k == "email.staff_reply"]
    assert len(reply_rows) == 1  # the internal note sends nothing


def test_employer_answer_reopens_and_notifies_the_assignee(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.claim(session, as_staff(adviser), case.id)
    cases.change_status(session, as_staff(adviser), case.id, "waiting")

    message = cases.employer_reply(session, case, "Mornings, please.")
    assert case.status == "open"
    assert (
        "email.employer_reply",
        {"case_id": case.id, "message_id": message.id, "user_id": adviser.id},
    ) in outbox_kinds(session)
    assert case.events[-1].kind == "employer_replied"
    assert case.events[-2].data == {"from": "waiting", "to": "open"}


def test_employer_answer_on_unassigned_case_notifies_the_team(session: Session, make_user) -> None:
    first = make_user("a@example.fi")
    second = make_user("b@example.fi")
    make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    case = cases.submit_case(session, raw_submission())
    cases.employer_reply(session, case, "Any news?")
    notified = sorted(p["user_id"] for k, p in outbox_kinds(session) if k == "email.employer_reply")
    assert notified == sorted([first.id, second.id])


def test_invalid_status_change_is_a_conflict(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(Conflict, match="from new to closed"):
        cases.change_status(session, as_staff(adviser), case.id, "closed")
    session.rollback()
    with pytest.raises(Conflict):
        cases.change_status(session, as_staff(adviser), case.id, "bogus")


def test_closed_case_refuses_answers(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.change_status(session, as_staff(adviser), case.id, "resolved")
    cases.change_status(session, as_staff(adviser), case.id, "closed")
    with pytest.raises(Conflict):
        cases.employer_reply(session, case, "Hello?")
    session.rollback()
    with pytest.raises(Conflict):
        cases.reply(session, as_staff(adviser), case.id, "Hi")


def test_empty_messages_are_refused(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(ValueError, match="required"):
        cases.reply(session, as_staff(adviser), case.id, "   ")
    session.rollback()
    with pytest.raises(ValueError, match="too_long"):
        cases.employer_reply(session, case, "x" * 5001)


def test_other_teams_cannot_see_or_work_the_case(session: Session, make_user) -> None:
    lahti = make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    manager = make_user("boss@example.fi", role="manager", authority="paijat-hame", teams=())
    case = cases.submit_case(session, raw_submission())
    assert queued(session, lahti) == []
    with pytest.raises(NotFound):
        cases.get_case_for_staff(session, as_staff(lahti), case.reference)
    with pytest.raises(NotFound):
        cases.claim(session, as_staff(lahti), case.id)
    # A manager of the authority sees the case but does not work it.
    assert cases.get_case_for_staff(session, as_staff(manager), case.reference).id == case.id
    with pytest.raises(Forbidden):
        cases.claim(session, as_staff(manager), case.id)


def test_unknown_token_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        cases.get_case_by_token(session, "nope")
    with pytest.raises(NotFound):
        cases.get_case_by_token(session, "")
