"""Transfers keep the SLA start, tell the employer in their language and are audited;
collaborating teams read and write notes. On SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, OutboxMessage
from desk.services import assignment, cases, collaboration, key_accounts, transfers
from desk.services.access import can_note, can_view, can_work
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.notify.emails import email_for
from desk.services.transfers import InvalidTransfer
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from tests.support.employer_links import opens
from tests.support.queues import queued

SENT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def ph_adviser(make_user):
    return make_user("ph@example.fi")


@pytest.fixture
def lahti_adviser(make_user):
    return make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_transfer_keeps_the_sla_start_and_tells_the_employer(
    session: Session, ph_adviser, lahti_adviser
) -> None:
    case = cases.submit_case(session, raw_submission(language="sv"), now=SENT)
    cases.claim(session, as_staff(ph_adviser), case.id)
    cases.reply(session, as_staff(ph_adviser), case.id, "We looked at it")
    first_response = case.first_response_at

    moved = transfers.transfer(
        session,
        as_staff(ph_adviser),
        case.id,
        "lahti-employer-services",
        "Arbetsplatsen ligger i Lahtis",
        now=SENT + timedelta(days=1),
    )
    session.expire_all()
    stored = session.get(Case, moved.id)
    assert stored.created_at == SENT  # the SLA clock keeps counting from the request
    assert stored.first_response_at == first_response
    assert (stored.team.slug, stored.authority_slug) == ("lahti-employer-services", "lahti")
    assert stored.assignee_id is None and stored.status == "open"
    assert stored.routing_rule == "transfer"
    assert stored.routing_reason == (
        "Överfört till Lahtis sysselsättningstjänster, Lahtis arbetsgivartjänster. "
        "Orsak: Arbetsplatsen ligger i Lahtis"
    )
    event = stored.events[-1]
    assert (event.kind, event.actor_id) == ("transferred", ph_adviser.id)
    assert event.data == {
        "from_team": "paijat-hame-employer-services",
        "to_team": "lahti-employer-services",
        "from_authority": "paijat-hame",
        "to_authority": "lahti",
        "reason": "Arbetsplatsen ligger i Lahtis",
        "previous_assignee": ph_adviser.id,
    }
    row = outbox(session)[-1]
    assert row.kind == "email.case_transferred"
    spec = email_for(session, row, "http://desk.test")
    assert (spec.to, spec.language, spec.template) == ("teija@example.fi", "sv", "case_transferred")
    assert spec.context["team"] == "Lahtis arbetsgivartjänster"
    assert spec.context["authority"] == "Lahtis sysselsättningstjänster"
    assert spec.context["transfer_reason"] == "Arbetsplatsen ligger i Lahtis"
    assert spec.context["sent_at"] == SENT
    assert opens(session, spec.context["link"], stored, base="http://desk.test")

    # The old team no longer sees it; the new one works it.
    assert not can_view(as_staff(ph_adviser), stored)
    assert can_work(as_staff(lahti_adviser), stored)
    assert stored in queued(session, lahti_adviser)


def test_transfer_needs_a_reason_and_another_team(session: Session, ph_adviser) -> None:
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(InvalidTransfer) as info:
        transfers.transfer(session, as_staff(ph_adviser), case.id, "", "  ")
    assert info.value.errors == {"team": "required", "reason": "required"}
    with pytest.raises(InvalidTransfer) as info:
        transfers.transfer(
            session, as_staff(ph_adviser), case.id, "paijat-hame-employer-services", "x" * 1001
        )
    assert info.value.errors == {"team": "same", "reason": "too_long"}
    with pytest.raises(InvalidTransfer) as info:
        transfers.transfer(session, as_staff(ph_adviser), case.id, "no-such-team", "because")
    assert info.value.errors == {"team": "invalid"}
    session.rollback()
    assert [e.kind for e in session.get(Case, case.id).events] == ["created", "routed"]
    assert [row.kind for row in outbox(session)] == ["email.case_received"]


def test_only_the_case_team_transfers(session, ph_adviser, lahti_adviser, make_user) -> None:
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(NotFound):
        transfers.transfer(
            session, as_staff(lahti_adviser), case.id, "lahti-employer-services", "mine"
        )
    manager = make_user("m@example.fi", role="manager", teams=())
    with pytest.raises(Forbidden):
        transfers.transfer(session, as_staff(manager), case.id, "lahti-employer-services", "mine")
    cases.change_status(session, as_staff(ph_adviser), case.id, "resolved")
    cases.change_status(session, as_staff(ph_adviser), case.id, "closed")
    with pytest.raises(Conflict):
        transfers.transfer(
            session, as_staff(ph_adviser), case.id, "lahti-employer-services", "late"
        )


def test_transfer_assigns_in_the_new_team(session, ph_adviser, make_user) -> None:
    admin = make_user("admin@example.fi", role="admin", teams=())
    ka = make_user("ka@example.fi", authority="lahti", teams=("lahti-employer-services",))
    key_accounts.name_key_account(session, as_staff(admin), "0112038-9", ka.id)
    case = cases.submit_case(session, raw_submission())
    assert [f.user_id for f in case.followers] == [ka.id]  # not their team: they follow
    moved = transfers.transfer(
        session, as_staff(ph_adviser), case.id, "lahti-employer-services", "Lahti"
    )
    assert moved.assignee_id == ka.id  # now it is their team: assigned to them
    assert moved.events[-1].data["mode"] == "key_account"
    assert moved.events[-1].actor_id == ph_adviser.id

    other = cases.submit_case(session, raw_submission(business_id="0737546-2"))
    assignment.update_team_settings(
        session, as_staff(admin), "lahti-employer-services", "least_open", False
    )
    moved = transfers.transfer(
        session, as_staff(ph_adviser), other.id, "lahti-employer-services", "Lahti"
    )
    assert moved.assignee_id == ka.id  # the only present adviser


def test_collaborating_team_reads_and_writes_notes(session, ph_adviser, lahti_adviser) -> None:
    case = cases.submit_case(session, raw_submission())
    assert not can_view(as_staff(lahti_adviser), case)
    candidates = collaboration.collaborator_candidates(session, case)
    assert [team.slug for team in candidates] == ["lahti-employer-services"]
    with pytest.raises(Conflict):
        collaboration.add_collaborator(session, as_staff(ph_adviser), case.id, "regional-intake")
    with pytest.raises(NotFound):
        collaboration.add_collaborator(
            session, as_staff(lahti_adviser), case.id, "lahti-employer-services"
        )

    collaboration.add_collaborator(
        session, as_staff(ph_adviser), case.id, "lahti-employer-services"
    )
    assert case.events[-1].kind == "collaborator_added"
    assert collaboration.collaborator_candidates(session, case) == []
    assert can_view(as_staff(lahti_adviser), case) and can_note(as_staff(lahti_adviser), case)
    assert not can_work(as_staff(lahti_adviser), case)
    assert cases.add_note(
        session, as_staff(lahti_adviser), case.id, "Their Lahti site too"
    ).visibility == ("internal")
    with pytest.raises(Forbidden):
        cases.reply(session, as_staff(lahti_adviser), case.id, "Public words")
    with pytest.raises(Forbidden):
        cases.claim(session, as_staff(lahti_adviser), case.id)
    assert [c.reference for c in queued(session, lahti_adviser, "watching")] == [case.reference]
    assert queued(session, ph_adviser, "watching") == []  # in their own queue already

    collaboration.remove_collaborator(
        session, as_staff(ph_adviser), case.id, "lahti-employer-services"
    )
    assert not can_view(as_staff(lahti_adviser), case)
    with pytest.raises(NotFound):  # they may not even know the case exists any more
        cases.add_note(session, as_staff(lahti_adviser), case.id, "No longer")


def test_transfer_to_the_collaborating_team_makes_it_the_lead(
    session, ph_adviser, lahti_adviser
) -> None:
    case = cases.submit_case(session, raw_submission())
    collaboration.add_collaborator(
        session, as_staff(ph_adviser), case.id, "lahti-employer-services"
    )
    moved = transfers.transfer(
        session, as_staff(ph_adviser), case.id, "lahti-employer-services", "Lead"
    )
    assert moved.collaborators == []
    assert [t.slug for t in collaboration.collaborator_candidates(session, moved)] == [
        "paijat-hame-employer-services"
    ]
