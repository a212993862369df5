"""Working a case: ask the employer, resolve and reopen, claim, assign, follow-up dates and
their reminders, need and municipality with re-routing (SQLite and PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from desk.db import is_postgresql, make_session_factory
from desk.domain.case_work import InvalidFollowUp
from desk.domain.sla import SlaState
from desk.models import Case, CaseEvent, Notification, OutboxMessage, utcnow
from desk.services import assignment, case_work, cases, sla
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.notify.emails import email_for
from tests.conftest import SESSION_SETTINGS, raw_submission
from tests.support.actors import as_staff

LAHTI_TEAM = "lahti-employer-services"


@pytest.fixture
def adviser(make_user):
    return make_user("adviser@example.fi")


@pytest.fixture
def colleague(make_user):
    return make_user("colleague@example.fi")


def submit(session: Session, **changes: str) -> Case:
    return cases.submit_case(session, raw_submission(**changes))


def outbox(session: Session, since: int = 0) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.id > since).order_by(OutboxMessage.id)
    return list(session.scalars(stmt))


def last_outbox_id(session: Session) -> int:
    rows = outbox(session)
    return rows[-1].id if rows else 0


def kinds(case: Case) -> list[str]:
    return [event.kind for event in case.events]


def target_states(session: Session, case: Case) -> dict[str, SlaState]:
    return {view.target.value: view.state for view in sla.case_targets(session, case)}


# --- ask the employer ------------------------------------------------------------------------


def test_asking_the_employer_is_one_message_one_event_one_email_and_the_clock_pauses(
    session: Session, adviser
) -> None:
    case = submit(session)
    cases.claim(session, as_staff(adviser), case.id)
    before, events_before = last_outbox_id(session), len(case.events)
    message = cases.ask_employer(session, as_staff(adviser), case.id, "How many welders?")
    assert message.visibility == "public" and case.status == "waiting"
    assert kinds(case)[events_before:] == ["employer_asked"]
    event = case.events[-1]
    assert event.data["from"] == "open" and event.data["to"] == "waiting"
    assert event.data["first_response"] is True
    emails = [row for row in outbox(session, before) if row.kind.startswith("email.")]
    assert [row.kind for row in emails] == ["email.information_requested"]
    spec = email_for(session, emails[0], "http://desk.test")
    assert spec.to == case.email and spec.context["question"] == "How many welders?"
    states = target_states(session, case)
    assert states["first_response"] is SlaState.MET
    assert states["resolution"] is SlaState.PAUSED
    # The employer answers: the case opens and the clock runs again.
    cases.employer_reply(session, case, "Three.")
    assert case.status == "open"
    assert target_states(session, case)["resolution"] is not SlaState.PAUSED


def test_a_reply_then_waiting_does_not_send_the_reply_text_twice(session: Session, adviser) -> None:
    case = submit(session)
    cases.claim(session, as_staff(adviser), case.id)
    before = last_outbox_id(session)
    cases.reply(session, as_staff(adviser), case.id, "Send us the job description.")
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    rows = [row for row in outbox(session, before) if row.kind.startswith("email.")]
    assert [row.kind for row in rows] == ["email.staff_reply", "email.case_waiting"]
    waiting = email_for(session, rows[1], "http://desk.test")
    assert "question" not in waiting.context  # the reply's text is in the reply email only


def test_a_waiting_case_may_be_asked_again_but_not_a_resolved_or_closed_one(
    session: Session, adviser
) -> None:
    case = submit(session)
    cases.ask_employer(session, as_staff(adviser), case.id, "First question")
    cases.ask_employer(session, as_staff(adviser), case.id, "Second question")
    assert kinds(case).count("employer_asked") == 2 and case.status == "waiting"
    cases.resolve(session, as_staff(adviser), case.id, "advice_given")
    with pytest.raises(Conflict) as info:
        cases.ask_employer(session, as_staff(adviser), case.id, "Third")
    assert info.value.code == "invalid_transition"
    session.rollback()
    cases.reopen(session, as_staff(adviser), case.id)
    with pytest.raises(ValueError, match="required"):
        cases.ask_employer(session, as_staff(adviser), case.id, "   ")


def test_only_the_cases_team_may_ask(session: Session, make_user) -> None:
    case = submit(session)
    lahti = make_user("lahti@example.fi", authority="lahti", teams=(LAHTI_TEAM,))
    manager = make_user("manager@example.fi", role="manager", teams=())
    with pytest.raises(NotFound):
        cases.ask_employer(session, as_staff(lahti), case.id, "Hello?")
    with pytest.raises(Forbidden):
        cases.ask_employer(session, as_staff(manager), case.id, "Hello?")


# --- resolve and reopen -----------------------------------------------------------------------


def test_resolving_needs_a_category_kept_on_the_case_and_in_the_event(
    session: Session, adviser
) -> None:
    case = submit(session)
    cases.claim(session, as_staff(adviser), case.id)
    for bad, code in (("", "required"), ("solved", "invalid")):
        with pytest.raises(cases.InvalidResolution) as info:
            cases.resolve(session, as_staff(adviser), case.id, bad)
        assert info.value.errors == {"resolution_category": code}
    before = last_outbox_id(session)
    cases.resolve(session, as_staff(adviser), case.id, "referred")
    assert case.status == "resolved" and case.resolution_category == "referred"
    assert case.events[-1].data == {
        "from": "open",
        "to": "resolved",
        "resolution_category": "referred",
    }
    assert [row.kind for row in outbox(session, before)] == ["email.case_resolved"]
    assert target_states(session, case)["resolution"] is SlaState.MET


def test_reopening_a_resolved_case_resumes_its_clock(session: Session, adviser) -> None:
    case = submit(session)
    with pytest.raises(Conflict) as info:
        cases.reopen(session, as_staff(adviser), case.id)
    assert info.value.code == "not_resolved"
    cases.resolve(session, as_staff(adviser), case.id, "duplicate")
    cases.reopen(session, as_staff(adviser), case.id)
    assert case.status == "open" and case.resolution_category is None
    assert case.events[-1].data["reopened"] is True
    assert target_states(session, case)["resolution"] in (SlaState.ON_TRACK, SlaState.AT_RISK)


# --- claim and assign -------------------------------------------------------------------------


def test_a_case_someone_else_claimed_cannot_be_claimed(
    session: Session, adviser, colleague
) -> None:
    case = submit(session)
    cases.claim(session, as_staff(adviser), case.id)
    cases.claim(session, as_staff(adviser), case.id)  # again: nothing changes
    assert kinds(case).count("claimed") == 1
    with pytest.raises(Conflict) as info:
        cases.claim(session, as_staff(colleague), case.id)
    assert info.value.code == "claimed_by_other"
    session.rollback()
    assert session.get(Case, case.id).assignee_id == adviser.id


def test_assigning_tells_the_new_assignee_and_offers_only_who_may_handle_it(
    session: Session, adviser, colleague, make_user
) -> None:
    make_user("lahti@example.fi", authority="lahti", teams=(LAHTI_TEAM,))
    case = submit(session)
    candidates = case_work.assignee_candidates(session, case)
    assert {user.email for user in candidates} == {"adviser@example.fi", "colleague@example.fi"}
    before = last_outbox_id(session)
    assignment.assign_case(session, as_staff(adviser), case.id, colleague.id)
    assert case.assignee_id == colleague.id
    rows = outbox(session, before)
    assert [(row.kind, row.payload["user_id"]) for row in rows] == [
        ("notify.case_assigned", colleague.id)
    ]


# --- follow-up dates ---------------------------------------------------------------------------


def test_a_follow_up_reminds_the_assignee_once_and_a_new_date_rearms_it(
    session: Session, adviser, colleague
) -> None:
    case = submit(session)
    cases.claim(session, as_staff(adviser), case.id)
    now = utcnow()
    tomorrow = (now + timedelta(days=1)).astimezone(case_work_helsinki()).date().isoformat()
    case_work.set_follow_up(session, as_staff(adviser), case.id, tomorrow, "", now)
    assert case.follow_up_at is not None and case.events[-1].kind == "follow_up_set"
    assert case_work.remind_follow_ups(session, now) == 0  # not yet
    due = case.follow_up_at + timedelta(minutes=1)
    before = last_outbox_id(session)
    assert case_work.remind_follow_ups(session, due) == 1
    assert case_work.remind_follow_ups(session, due + timedelta(hours=1)) == 0  # once
    rows = outbox(session, before)
    assert [(row.kind, row.payload["user_id"]) for row in rows] == [
        ("notify.follow_up_due", adviser.id)
    ]
    spec = email_for(session, rows[0], "http://desk.test")
    assert spec.to == adviser.email and spec.context["follow_up_at"] == case.follow_up_at
    bell = session.scalars(select(Notification).where(Notification.user_id == adviser.id))
    assert "follow_up_due" in [note.event_type for note in bell]
    assert case.follow_up_reminded_at == due
    # Setting it again arms the reminder again.
    case_work.set_follow_up(session, as_staff(adviser), case.id, tomorrow, "15:00", now)
    assert case.follow_up_reminded_at is None
    assert case_work.remind_follow_ups(session, case.follow_up_at) == 1


def case_work_helsinki():
    from desk.domain.business_calendar import HELSINKI

    return HELSINKI


def test_an_unassigned_cases_follow_up_reminds_the_team_and_a_cleared_one_nobody(
    session: Session, adviser, colleague
) -> None:
    case = submit(session)
    today = utcnow().astimezone(case_work_helsinki()).date().isoformat()
    case_work.set_follow_up(session, as_staff(adviser), case.id, today)
    before = last_outbox_id(session)
    assert case_work.remind_follow_ups(session, case.follow_up_at) == 1
    users = {row.payload["user_id"] for row in outbox(session, before)}
    assert users == {adviser.id, colleague.id}
    other = submit(session)
    case_work.set_follow_up(session, as_staff(adviser), other.id, today)
    case_work.clear_follow_up(session, as_staff(adviser), other.id)
    assert other.follow_up_at is None
    assert other.events[-1].data["follow_up_at"] is None
    assert case_work.remind_follow_ups(session, utcnow() + timedelta(days=2)) == 0


def test_a_follow_up_in_the_past_is_refused(session: Session, adviser) -> None:
    case = submit(session)
    with pytest.raises(InvalidFollowUp) as info:
        case_work.set_follow_up(session, as_staff(adviser), case.id, "2020-01-01")
    assert info.value.errors == {"follow_up_date": "past"}


# --- need and municipality ---------------------------------------------------------------------


def test_changing_the_municipality_records_it_and_the_rules_offer_another_team(
    session: Session, adviser
) -> None:
    case = submit(session)  # Orimattila: Päijät-Häme's employer services
    assert case_work.rerouting_for(session, case) is None
    case_work.change_details(session, as_staff(adviser), case.id, "recruitment", "398")
    event = case.events[-1]
    assert event.kind == "details_changed"
    assert event.data == {"municipality_from": "560", "municipality_to": "398"}
    assert case.team.slug == "paijat-hame-employer-services"  # nothing moves by itself
    offer = case_work.rerouting_for(session, case)
    assert offer is not None and offer.team.slug == LAHTI_TEAM and offer.reason


def test_changing_the_need_and_an_unknown_municipality_by_name(session: Session, adviser) -> None:
    case = submit(session)
    case_work.change_details(session, as_staff(adviser), case.id, "pay-subsidy", "other", "Tampere")
    assert case.need_code == "pay-subsidy"
    assert case.municipality_code is None and case.municipality_text == "Tampere"
    assert case.events[-1].data["need_from"] == "recruitment"


@pytest.mark.parametrize(
    ("need", "municipality", "other", "expected"),
    [
        ("", "560", "", {"need": "required"}),
        ("nope", "560", "", {"need": "unknown"}),
        ("recruitment", "", "", {"municipality": "required"}),
        ("recruitment", "999", "", {"municipality": "unknown"}),
        ("recruitment", "other", " ", {"municipality_other": "required"}),
    ],
)
def test_invalid_details_name_the_field(
    session: Session, adviser, need: str, municipality: str, other: str, expected: dict
) -> None:
    case = submit(session)
    with pytest.raises(case_work.InvalidDetails) as info:
        case_work.change_details(session, as_staff(adviser), case.id, need, municipality, other)
    assert info.value.errors == expected


def test_unchanged_details_are_a_conflict(session: Session, adviser) -> None:
    case = submit(session)
    with pytest.raises(Conflict) as info:
        case_work.change_details(session, as_staff(adviser), case.id, "recruitment", "560")
    assert info.value.code == "details_unchanged"


# --- the claim race on PostgreSQL ------------------------------------------------------------


# PostgreSQL only: its row locks are what is tested (SQLite serialises writers at BEGIN).
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
@pytest.mark.committed  # two real connections must see the case
def test_two_advisers_claiming_at_once_exactly_one_wins(
    session: Session, engine: Engine, adviser, colleague
) -> None:
    assert is_postgresql(session)
    case_id = submit(session).id
    factory = make_session_factory(engine, SESSION_SETTINGS)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim_as(email: str) -> None:
        with factory() as own:
            from desk.models import User

            user = own.scalars(select(User).where(User.email == email)).one()
            own.get(Case, case_id)  # both have read the case, unassigned, before either claims
            barrier.wait(timeout=10)
            try:
                cases.claim(own, as_staff(user), case_id)
                outcomes[email] = "won"
            except Conflict as exc:
                own.rollback()
                outcomes[email] = exc.code

    threads = [
        threading.Thread(target=claim_as, args=(email,))
        for email in ("adviser@example.fi", "colleague@example.fi")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["claimed_by_other", "won"]
    session.expire_all()
    winner = next(email for email, outcome in outcomes.items() if outcome == "won")
    assert session.get(Case, case_id).assignee.email == winner
    claimed = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "claimed")
    ).all()
    assert len(claimed) == 1
