"""Assignment inside a team, key-account advisers, absence and languages (SQLite and PostgreSQL)."""

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import OutboxMessage
from desk.services import assignment, cases, key_accounts
from desk.services.access import can_view
from desk.services.errors import Forbidden
from desk.services.key_accounts import InvalidKeyAccount
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from tests.support.queues import queued

PH = "paijat-hame-employer-services"
BUSINESS_ID = "0112038-9"  # raw_submission's employer


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.fi", role="admin", authority="lahti", teams=())


@pytest.fixture
def three_advisers(make_user):
    return [make_user(f"adviser{i}@example.fi") for i in range(3)]


def submit(session: Session, **changes: str):
    return cases.submit_case(session, raw_submission(**changes))


def test_queue_mode_leaves_cases_unassigned(session: Session, three_advisers) -> None:
    case = submit(session)
    assert case.assignee_id is None
    assert [e.kind for e in case.events] == ["created", "routed"]


def test_round_robin_is_fair_and_skips_the_absent(session: Session, admin, three_advisers) -> None:
    assignment.update_team_settings(session, as_staff(admin), PH, "round_robin", False)
    first = [submit(session).assignee_id for _ in range(6)]
    ids = [user.id for user in three_advisers]
    assert first == ids + ids  # in turn, each the same number of times

    assignment.set_absent(session, as_staff(three_advisers[1]), three_advisers[1].id, True)
    later = Counter(submit(session).assignee_id for _ in range(6))
    assert later == {ids[0]: 3, ids[2]: 3}

    case = submit(session)
    event = case.events[-1]
    assert (event.kind, event.data["mode"], event.actor_kind) == (
        "assigned",
        "round_robin",
        "system",
    )


def test_round_robin_ignores_managers_and_other_teams(session, admin, make_user) -> None:
    only = make_user("only@example.fi")
    make_user("manager@example.fi", role="manager")
    make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    assignment.update_team_settings(session, as_staff(admin), PH, "round_robin", False)
    assert {submit(session).assignee_id for _ in range(3)} == {only.id}


def test_least_open_cases_goes_to_the_least_busy(session, admin, three_advisers) -> None:
    a, b, c = three_advisers
    for _ in range(2):
        cases.claim(session, as_staff(a), submit(session).id)
    cases.claim(session, as_staff(b), submit(session).id)
    assignment.update_team_settings(session, as_staff(admin), PH, "least_open", False)
    assert submit(session).assignee_id == c.id  # 0 open
    assert submit(session).assignee_id == b.id  # b 1, c 1: the lower id breaks the tie
    assert submit(session).assignee_id == c.id
    # Closed work does not count: a resolves both of theirs and is the least busy again.
    for case in queued(session, a):
        if case.assignee_id == a.id:
            cases.change_status(session, as_staff(a), case.id, "resolved")
    assert submit(session).assignee_id == a.id


def test_absent_everyone_leaves_the_case_in_the_queue(session, admin, three_advisers) -> None:
    assignment.update_team_settings(session, as_staff(admin), PH, "least_open", False)
    for user in three_advisers:
        assignment.set_absent(session, as_staff(admin), user.id, True)
    assert submit(session).assignee_id is None


def test_team_requiring_the_language_assigns_only_speakers(session, admin, make_user) -> None:
    make_user("finnish@example.fi", languages=("fi",))
    swedish = make_user("swedish@example.fi", languages=("fi", "sv"))
    assignment.update_team_settings(session, as_staff(admin), PH, "round_robin", True)
    assert {submit(session, language="sv").assignee_id for _ in range(3)} == {swedish.id}
    assert len({submit(session, language="fi").assignee_id for _ in range(4)}) == 2
    assignment.update_team_settings(session, as_staff(admin), PH, "round_robin", False)
    assert len({submit(session, language="sv").assignee_id for _ in range(2)}) == 2


def test_only_admins_change_settings_and_others_absence(session, admin, three_advisers) -> None:
    a, b, _ = three_advisers
    with pytest.raises(Forbidden):
        assignment.update_team_settings(session, as_staff(a), PH, "round_robin", False)
    with pytest.raises(Forbidden):
        assignment.set_absent(session, as_staff(a), b.id, True)
    assert assignment.set_absent(session, as_staff(a), a.id, True).absent is True
    with pytest.raises(assignment.InvalidTeamSettings):
        assignment.update_team_settings(session, as_staff(admin), PH, "lottery", False)
    assert assignment.settings_for(session, a.teams[0].id).assignment_mode == "queue"


def test_key_account_adviser_in_the_team_is_assigned(session, admin, three_advisers) -> None:
    adviser = three_advisers[2]
    account = key_accounts.name_key_account(session, as_staff(admin), " 0112038-9 ", adviser.id)
    assert (account.business_id, account.adviser_id) == (BUSINESS_ID, adviser.id)
    assignment.update_team_settings(session, as_staff(admin), PH, "round_robin", False)
    case = submit(session)
    assert case.assignee_id == adviser.id
    assert case.events[-1].data["mode"] == "key_account"
    # Another employer goes round robin as usual.
    assert submit(session, business_id="0737546-2").assignee_id == three_advisers[0].id


def test_absent_key_account_adviser_falls_back_to_the_team_mode(
    session, admin, three_advisers
) -> None:
    adviser = three_advisers[0]
    key_accounts.name_key_account(session, as_staff(admin), BUSINESS_ID, adviser.id)
    assignment.set_absent(session, as_staff(adviser), adviser.id, True)
    assert submit(session).assignee_id is None  # queue mode
    assignment.update_team_settings(session, as_staff(admin), PH, "least_open", False)
    assert submit(session).assignee_id == three_advisers[1].id


def test_key_account_adviser_follows_when_a_specialist_team_takes_it(
    session, admin, make_user
) -> None:
    adviser = make_user("ka@example.fi")
    specialist = make_user("intl@example.fi", authority="lahti", teams=("regional-international",))
    key_accounts.name_key_account(session, as_staff(admin), BUSINESS_ID, adviser.id)
    case = submit(session, need="international")
    assert case.team.slug == "regional-international" and case.assignee_id is None
    assert [(f.user_id, f.reason) for f in case.followers] == [(adviser.id, "key_account")]
    assert case.events[-1].kind == "follower_added"
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.kind, r.payload) for r in rows] == [
        ("email.case_received", {"case_id": case.id}),
        ("email.case_followed", {"case_id": case.id, "user_id": adviser.id}),
    ]
    # The follower may read the case, but the specialist team works it.
    assert can_view(as_staff(adviser), case) and can_view(as_staff(specialist), case)
    assert cases.get_case_for_staff(session, as_staff(adviser), case.reference).id == case.id
    with pytest.raises(Forbidden):
        cases.reply(session, as_staff(adviser), case.id, "I am only following")


def test_key_account_can_be_a_routing_condition(session, admin, make_user) -> None:
    from desk.domain.routing_rules import RawRule
    from desk.services import routing_rules

    adviser = make_user("ka@example.fi", authority="lahti", teams=("lahti-employer-services",))
    key_accounts.name_key_account(session, as_staff(admin), BUSINESS_ID, adviser.id)
    routing_rules.add(
        session,
        as_staff(admin),
        1,
        RawRule(id="key-accounts-to-lahti", team="lahti-employer-services", key_account="yes"),
        before="international",
    )
    routing_rules.publish(session, as_staff(admin), 2)
    case = submit(session, municipality="Heinola")
    assert (case.team.slug, case.routing_rule, case.assignee_id) == (
        "lahti-employer-services",
        "key-accounts-to-lahti",
        adviser.id,
    )
    assert "nimetty avainasiakasvastaava" in case.routing_reason


def test_naming_key_accounts_is_validated_and_admin_only(session, admin, make_user) -> None:
    adviser = make_user()
    manager = make_user("m@example.fi", role="manager")
    with pytest.raises(InvalidKeyAccount) as info:
        key_accounts.name_key_account(session, as_staff(admin), "0112038-8", "")
    assert info.value.errors == {"business_id": "checksum", "adviser": "required"}
    with pytest.raises(InvalidKeyAccount) as info:
        key_accounts.name_key_account(session, as_staff(admin), "", manager.id)
    assert info.value.errors == {"business_id": "required", "adviser": "invalid"}
    with pytest.raises(Forbidden):
        key_accounts.name_key_account(session, as_staff(adviser), BUSINESS_ID, adviser.id)
    key_accounts.name_key_account(session, as_staff(admin), BUSINESS_ID, adviser.id)
    other = make_user("other@example.fi")
    key_accounts.name_key_account(session, as_staff(admin), BUSINESS_ID, other.id)  # replaces
    assert [(k.business_id, k.adviser_id) for k in key_accounts.list_key_accounts(session)] == [
        (BUSINESS_ID, other.id)
    ]
    key_accounts.remove_key_account(session, as_staff(admin), BUSINESS_ID)
    assert key_accounts.list_key_accounts(session) == []
