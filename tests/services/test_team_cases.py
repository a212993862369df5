"""A team's cases: who may list them, the filters, and keyset pages that never repeat or skip
a case, even when cases share a received time. Also manual assignment and the public routing
question. On SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from desk.services import assignment, cases, collaboration, key_accounts, team_cases
from desk.services.access import can_view
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.routing_explanation import InvalidRoutingQuestion, explain
from desk.services.team_cases import CaseFilters, InvalidFilter
from tests.conftest import raw_submission
from tests.support.actors import as_staff

PH = "paijat-hame-employer-services"
LAHTI = "lahti-employer-services"
T0 = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def ph_adviser(make_user):
    return make_user("ph@example.fi")


def submit(session: Session, at: datetime = T0, **changes: str):
    return cases.submit_case(session, raw_submission(**changes), now=at)


ANY = CaseFilters()


def all_pages(session, user, team, filters=ANY, limit=2) -> list[str]:
    seen, after = [], None
    while True:
        page = team_cases.list_team_cases(session, as_staff(user), team, filters, after, limit)
        seen.extend(case.reference for case in page.cases)
        if page.next_position is None:
            return seen
        after = page.next_position


def test_pages_follow_received_time_then_id_without_repeats(session, ph_adviser) -> None:
    # Five cases, three of them received at the same instant: the id breaks the tie.
    made = [submit(session, T0 + timedelta(minutes=m)) for m in (5, 0, 0, 0, 2)]
    expected = [c.reference for c in sorted(made, key=lambda c: (c.created_at, c.id))]
    for limit in (1, 2, 3, 5, 100):
        assert all_pages(session, ph_adviser, PH, limit=limit) == expected
    page = team_cases.list_team_cases(session, as_staff(ph_adviser), PH, limit=5)
    assert page.next_position is None and len(page.cases) == 5
    # A case arriving between pages does not shift them (it is newer, so it comes last).
    first = team_cases.list_team_cases(session, as_staff(ph_adviser), PH, limit=2)
    newer = submit(session, T0 + timedelta(hours=1))
    rest = all_pages_after(session, ph_adviser, first.next_position)
    assert [c.reference for c in first.cases] + rest == [*expected, newer.reference]


def all_pages_after(session, user, after) -> list[str]:
    page = team_cases.list_team_cases(session, as_staff(user), PH, CaseFilters(), after, 100)
    return [case.reference for case in page.cases]


def test_filters_combine(session, ph_adviser, make_user) -> None:
    other = make_user("other@example.fi")
    a = submit(session, need="recruitment", municipality="560")
    b = submit(session, need="job-ad", municipality="Heinola")
    c = submit(session, need="recruitment", municipality="Itis")
    outside = submit(session, need="recruitment", municipality="Tampere")  # regional intake
    cases.claim(session, as_staff(ph_adviser), a.id)
    cases.claim(session, as_staff(other), b.id)
    cases.change_status(session, as_staff(ph_adviser), c.id, "waiting")

    def refs(**filters) -> set[str]:
        page = team_cases.list_team_cases(session, as_staff(ph_adviser), PH, CaseFilters(**filters))
        return {case.reference for case in page.cases}

    assert refs() == {a.reference, b.reference, c.reference}
    assert refs(statuses=("waiting",)) == {c.reference}
    assert refs(statuses=("new", "open")) == {a.reference, b.reference}
    assert refs(need="recruitment") == {a.reference, c.reference}
    assert refs(municipality="111") == refs(municipality="heinola") == {b.reference}
    assert refs(municipality="Itis") == {c.reference}
    assert refs(assignee_id=ph_adviser.id) == {a.reference}
    assert refs(unassigned=True) == {c.reference}
    assert refs(need="recruitment", statuses=("open",)) == {a.reference}
    intake = team_cases.list_team_cases(
        session,
        as_staff(make_admin(make_user)),
        "regional-intake",
        CaseFilters(municipality="other"),
    )
    assert [case.reference for case in intake.cases] == [outside.reference]


def make_admin(make_user):
    return make_user("admin@example.fi", role="admin", authority="lahti", teams=())


def test_invalid_filters_name_each_one(session, ph_adviser) -> None:
    filters = CaseFilters(statuses=("open", "gone"), need="nope", municipality="Tampere")
    with pytest.raises(InvalidFilter) as caught:
        team_cases.list_team_cases(session, as_staff(ph_adviser), PH, filters, limit=0)
    assert caught.value.errors == {
        "status": "invalid",
        "need": "unknown",
        "municipality": "unknown",
        "limit": "invalid",
    }


def test_who_may_list_a_team(session, make_user) -> None:
    ph = make_user("ph@example.fi")
    lahti = make_user("lahti@example.fi", authority="lahti", teams=(LAHTI,))
    ph_manager = make_user("m@example.fi", role="manager", teams=())
    lahti_manager = make_user("lm@example.fi", role="manager", authority="lahti", teams=())
    admin = make_admin(make_user)
    case = submit(session)
    for user in (ph, ph_manager, admin):
        listed = team_cases.list_team_cases(session, as_staff(user), PH).cases
        assert [c.reference for c in listed] == [case.reference]
        assert all(can_view(as_staff(user), c) for c in listed)
    for user in (lahti, lahti_manager):
        with pytest.raises(Forbidden):
            team_cases.list_team_cases(session, as_staff(user), PH)
    with pytest.raises(NotFound):
        team_cases.list_team_cases(session, as_staff(admin), "no-such-team")
    assert [t.slug for t in team_cases.listable_teams(session, as_staff(ph))] == [PH]
    assert PH in {t.slug for t in team_cases.listable_teams(session, as_staff(ph_manager))}
    assert LAHTI not in {t.slug for t in team_cases.listable_teams(session, as_staff(ph_manager))}
    assert len(team_cases.listable_teams(session, as_staff(admin))) == 5  # every team


def test_manual_assignment_goes_to_a_member_of_the_team(session, ph_adviser, make_user) -> None:
    colleague = make_user("colleague@example.fi")
    lahti = make_user("lahti@example.fi", authority="lahti", teams=(LAHTI,))
    case = submit(session)
    assigned = assignment.assign_case(session, as_staff(ph_adviser), case.id, colleague.id)
    assert assigned.assignee_id == colleague.id and assigned.status == "new"
    event = assigned.events[-1]
    assert (event.kind, event.actor_id) == ("assigned", ph_adviser.id)
    assert event.data == {
        "assignee_id": colleague.id,
        "assignee": colleague.name,
        "mode": "manual",
        "previous_assignee": None,
    }
    events = len(assigned.events)
    assignment.assign_case(session, as_staff(ph_adviser), case.id, colleague.id)  # again: no change
    assert len(session.get(type(case), case.id).events) == events

    with pytest.raises(assignment.InvalidAssignee) as caught:
        assignment.assign_case(session, as_staff(ph_adviser), case.id, lahti.id)
    assert caught.value.errors == {"assignee": "not_a_member"}
    with pytest.raises(assignment.InvalidAssignee):
        assignment.assign_case(session, as_staff(ph_adviser), case.id, 999_999)
    with pytest.raises(NotFound):  # another team's case: as if it did not exist
        assignment.assign_case(session, as_staff(lahti), case.id, lahti.id)


def test_readers_who_may_not_work_cannot_assign(session, ph_adviser, make_user) -> None:
    admin = make_admin(make_user)
    lahti = make_user("lahti@example.fi", authority="lahti", teams=(LAHTI,))
    case = submit(session)
    collaboration.add_collaborator(session, as_staff(ph_adviser), case.id, LAHTI)
    assert can_view(as_staff(lahti), case)
    with pytest.raises(Forbidden):
        assignment.assign_case(session, as_staff(lahti), case.id, lahti.id)
    key_accounts.name_key_account(session, as_staff(admin), "0112038-9", lahti.id)
    followed = submit(session, need="international")  # a specialist team: lahti follows
    assert can_view(as_staff(lahti), followed)
    with pytest.raises(Forbidden):
        assignment.assign_case(session, as_staff(lahti), followed.id, lahti.id)
    cases.change_status(session, as_staff(ph_adviser), case.id, "resolved")
    cases.change_status(session, as_staff(ph_adviser), case.id, "closed")
    with pytest.raises(Conflict):
        assignment.assign_case(session, as_staff(ph_adviser), case.id, ph_adviser.id)


def test_the_routing_question_answers_without_storing(session) -> None:
    answer = explain(session, "Lahtis", "recruitment", language="sv")
    decision = answer.routed.decision
    assert (decision.team, decision.authority, decision.rule) == (LAHTI, "lahti", "lahti")
    assert answer.team_name == "Lahtis arbetsgivartjänster"
    assert decision.reason.startswith("Styrt till Lahtis sysselsättningstjänster")
    big = explain(session, "Orimattila", "change-security", 12, "en").routed.decision
    assert big.team == "regional-change-security"
    outside = explain(session, "Tampere", "recruitment", language="en").routed
    assert outside.decision.team == "regional-intake" and outside.municipality_code is None
    with pytest.raises(InvalidRoutingQuestion) as caught:
        explain(session, " ", "nope")
    assert caught.value.errors == {"municipality": "required", "need": "unknown"}
    assert session.query(cases.Case).count() == 0
