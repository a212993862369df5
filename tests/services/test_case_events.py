"""One path for a case's side effects: every change goes through emit (SQLite and PostgreSQL)."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import CaseEvent, Notification, OutboxMessage
from desk.services import assignment, cases, sla_policies, transfers
from desk.services.access import Actor, Channel
from desk.services.case_events import EFFECTS, EventKind
from desk.services.errors import Forbidden
from tests.conftest import raw_submission
from tests.support.actors import as_staff

LAHTI = "lahti-employer-services"


def outbox_kinds(session: Session) -> list[str]:
    return [row.kind for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_every_kind_of_event_says_what_it_causes() -> None:
    assert set(EFFECTS) == set(EventKind)


def test_events_record_who_acted_and_through_which_channel(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission(), actor=Actor.employer(Channel.API, "::1"))
    cases.claim(session, Actor.staff(adviser, Channel.API, "127.0.0.1"), case.id)
    rows = list(session.scalars(select(CaseEvent).order_by(CaseEvent.id)))
    assert [(e.kind, e.actor_kind, e.channel, e.actor_id) for e in rows] == [
        ("created", "employer", "api", None),
        ("routed", "system", "api", None),
        ("claimed", "staff", "api", adviser.id),
        ("status_changed", "staff", "api", adviser.id),
    ]


def test_a_manual_assignment_tells_the_new_assignee(session: Session, make_user) -> None:
    lead = make_user("lead@example.fi")
    colleague = make_user("colleague@example.fi")
    case = cases.submit_case(session, raw_submission())
    assignment.assign_case(session, as_staff(lead), case.id, colleague.id)
    bell = session.scalars(
        select(Notification).where(Notification.kind == "notify.case_assigned")
    ).all()
    assert [n.user_id for n in bell] == [colleague.id]
    assert case.assignee is colleague


def test_claim_sets_the_assignee_itself(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    claimed = cases.claim(session, as_staff(adviser), case.id)
    assert claimed.assignee is adviser  # no refresh needed by the caller


def test_a_transfer_queues_the_employer_email_through_emit(session: Session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    transfers.transfer(session, as_staff(adviser), case.id, LAHTI, "Workplace in Lahti")
    transferred = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.case_transferred")
    ).one()
    assert transferred.payload["team"] == LAHTI
    assert transferred.payload["reason"] == "Workplace in Lahti"
    assert "email.case_received" in outbox_kinds(session)


@pytest.mark.parametrize("role", ["adviser", "manager"])
def test_only_administrators_change_service_level_settings(
    session: Session, make_user, role: str
) -> None:
    person = as_staff(make_user(role=role))
    with pytest.raises(Forbidden):
        sla_policies.change_policy(session, person, "recruitment", 60, 600, 80)
    with pytest.raises(Forbidden):
        sla_policies.add_closure_day(
            session, person, date(2027, 1, 7), None, "Training", today=date(2026, 1, 1)
        )
    admin = as_staff(make_user("admin@example.fi", role="admin", teams=()))
    day = sla_policies.add_closure_day(
        session, admin, date(2027, 1, 7), None, "Training", today=date(2026, 1, 1)
    )
    with pytest.raises(Forbidden):
        sla_policies.remove_closure_day(session, person, day.id)
    sla_policies.remove_closure_day(session, admin, day.id)
