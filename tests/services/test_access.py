"""The access policy as a table: who may see, work on and administer what (no database)."""

from types import SimpleNamespace
from typing import Any

import pytest

from desk.services import access
from desk.services.access import Actor, Channel, Role


def user(role: str, teams: tuple[int, ...] = (), authority: str = "lahti", **kw: Any) -> Any:
    return SimpleNamespace(
        id=kw.get("id", 1),
        role=role,
        teams=[SimpleNamespace(id=t) for t in teams],
        authority_slug=authority,
        active=kw.get("active", True),
    )


def case(team_id: int = 10, authority: str = "lahti", followers=(), collaborators=()) -> Any:
    return SimpleNamespace(
        team_id=team_id,
        authority_slug=authority,
        followers=[SimpleNamespace(user_id=u) for u in followers],
        collaborators=[SimpleNamespace(team_id=t) for t in collaborators],
    )


def staff(*args: Any, **kw: Any) -> Actor:
    return Actor.staff(user(*args, **kw), Channel.WEB)


CASES = [
    # actor, case, can_view, can_work, can_note
    (staff("admin"), case(), True, True, True),
    (staff("manager", authority="lahti"), case(authority="lahti"), True, False, False),
    (staff("manager", authority="paijat-hame"), case(authority="lahti"), False, False, False),
    (staff("adviser", teams=(10,)), case(team_id=10), True, True, True),
    (staff("adviser", teams=(11,)), case(team_id=10), False, False, False),
    (staff("adviser", teams=(11,)), case(collaborators=(11,)), True, False, True),
    (staff("adviser", teams=(11,), id=7), case(followers=(7,)), True, False, False),
    (staff("adviser", teams=(10,), active=False), case(team_id=10), False, False, False),
    (staff("intern", teams=(10,)), case(team_id=10), False, False, False),
    (Actor.employer(Channel.WEB), case(), False, False, False),
    (Actor.system(), case(), False, False, False),
]


@pytest.mark.parametrize(("actor", "the_case", "view", "work", "note"), CASES)
def test_case_access(actor: Actor, the_case: Any, view: bool, work: bool, note: bool) -> None:
    assert access.can_view(actor, the_case) is view
    assert access.can_work(actor, the_case) is work
    assert access.can_note(actor, the_case) is note


def test_roles_are_one_enum() -> None:
    assert {role.value for role in Role} == {"adviser", "manager", "admin"}
    assert staff("manager").role is Role.MANAGER
    assert Actor.employer(Channel.API).role is None


def test_administration_and_absence() -> None:
    admin, adviser = staff("admin"), staff("adviser", id=5)
    assert access.is_admin(admin) and not access.is_admin(adviser)
    assert access.may_set_absence(adviser, 5) and not access.may_set_absence(adviser, 6)
    assert access.may_set_absence(admin, 6)
    with pytest.raises(access.Forbidden):
        access.require_admin(adviser)


def test_team_lists() -> None:
    team = SimpleNamespace(id=10, authority_slug="lahti")
    assert access.can_list_team(staff("adviser", teams=(10,)), team)
    assert not access.can_list_team(staff("adviser", teams=(11,)), team)
    manager = staff("manager", authority="lahti")
    assert access.can_list_team(manager, team)
    assert access.team_list_authority(manager, team) == "lahti"
    assert access.team_list_authority(staff("admin"), team) is None
    assert access.queue_team_ids(staff("admin")) is None
    assert access.queue_team_ids(staff("adviser", teams=(10, 11))) == {10, 11}


def test_the_authority_queue_is_for_managers_and_admins() -> None:
    assert access.can_list_authority(staff("manager")) and access.can_list_authority(staff("admin"))
    assert not access.can_list_authority(staff("adviser", teams=(10,)))
    assert not access.can_list_authority(Actor.employer(Channel.WEB))


def test_reports_are_read_by_managers_admins_and_the_desk_itself() -> None:
    assert access.can_read_reports(staff("manager"))
    assert access.can_read_reports(staff("admin"))
    assert access.can_read_reports(Actor.system(Channel.CLI))
    assert not access.can_read_reports(staff("adviser", teams=(10,)))
    assert not access.can_read_reports(staff("manager", active=False))
    assert not access.can_read_reports(Actor.employer(Channel.API))
    with pytest.raises(access.Forbidden):
        access.require_report_reader(staff("adviser"))


# --- merge, links and canned responses (issue 11) -------------------------------------------

MERGE_AND_LINK = [
    # actor, duplicate, target, may merge, may link
    (staff("admin"), case(team_id=10), case(team_id=20), True, True),
    (staff("adviser", teams=(10,)), case(team_id=10), case(team_id=10), True, True),
    # Both visible, but the target is another team's: linking yes, merging no.
    (
        staff("adviser", teams=(10,)),
        case(team_id=10),
        case(collaborators=(10,), team_id=20),
        False,
        True,
    ),
    (staff("adviser", teams=(10, 20)), case(team_id=10), case(team_id=20), True, True),
    (staff("adviser", teams=(10,)), case(team_id=10), case(team_id=20), False, False),
    (
        staff("adviser", teams=(10,), id=7),
        case(team_id=10),
        case(team_id=20, followers=(7,)),
        False,
        True,
    ),
    (
        staff("manager", authority="lahti"),
        case(authority="lahti"),
        case(authority="lahti"),
        False,
        True,
    ),
    (
        staff("manager", authority="lahti"),
        case(authority="lahti"),
        case(authority="paijat-hame"),
        False,
        False,
    ),
    (staff("adviser", teams=(10,), active=False), case(team_id=10), case(team_id=10), False, False),
    (Actor.employer(Channel.WEB), case(), case(), False, False),
    (Actor.system(), case(), case(), False, False),
]


@pytest.mark.parametrize(("actor", "duplicate", "target", "merge", "link"), MERGE_AND_LINK)
def test_merge_and_link_access(
    actor: Actor, duplicate: Any, target: Any, merge: bool, link: bool
) -> None:
    assert access.can_merge(actor, duplicate, target) is merge
    assert access.can_link(actor, duplicate, target) is link
    assert access.can_link(actor, target, duplicate) is link  # symmetric


def team(authority: str = "lahti", team_id: int = 10) -> Any:
    return SimpleNamespace(id=team_id, authority_slug=authority)


@pytest.mark.parametrize(
    ("actor", "the_team", "keeps"),
    [
        (staff("admin", authority="paijat-hame"), team("lahti"), True),
        (staff("manager", authority="lahti"), team("lahti"), True),
        (staff("manager", authority="paijat-hame"), team("lahti"), False),
        (staff("adviser", teams=(10,)), team("lahti"), False),  # members use, not keep
        (staff("manager", authority="lahti", active=False), team("lahti"), False),
        (Actor.employer(Channel.WEB), team(), False),
        (Actor.system(), team(), False),
    ],
)
def test_who_keeps_a_teams_canned_responses(actor: Actor, the_team: Any, keeps: bool) -> None:
    assert access.can_keep_canned(actor, the_team) is keeps


# --- downloading an attachment ----------------------------------------------------------------


def attachment(case_id: int = 1, visibility: str | None = None) -> Any:
    message = None if visibility is None else SimpleNamespace(visibility=visibility)
    return SimpleNamespace(case_id=case_id, message=message)


def case_with_id(case_id: int = 1, **kw: Any) -> Any:
    found = case(**kw)
    found.id = case_id
    return found


@pytest.mark.parametrize(
    ("actor", "file", "allowed"),
    [
        (staff("adviser", teams=(10,)), attachment(), True),
        (staff("adviser", teams=(10,)), attachment(visibility="internal"), True),
        (staff("adviser", teams=(11,)), attachment(), False),  # may not view the case
        (staff("adviser", teams=(10,)), attachment(case_id=2), False),  # another case's file
        (Actor.employer(Channel.WEB), attachment(), True),  # with the request
        (Actor.employer(Channel.WEB), attachment(visibility="public"), True),
        (Actor.employer(Channel.WEB), attachment(visibility="internal"), False),
        (Actor.employer(Channel.WEB), attachment(case_id=2), False),
        (Actor.system(), attachment(), False),
    ],
)
def test_may_download(actor: Actor, file: Any, allowed: bool) -> None:
    assert access.may_download(actor, case_with_id(1, team_id=10), file) is allowed
