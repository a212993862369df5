"""The adviser's queues: each queue, filter and sort, keyset cursors stable under inserts,
bad cursors, counts, and the access matrix on every queue. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desk.domain.queues import QueueKind, QueueName, Sort
from desk.models import Case, CaseFollower
from desk.services import cases, collaboration, queues
from desk.services.access import can_view
from desk.services.errors import Forbidden, NotFound
from desk.services.team_cases import CaseFilters, InvalidFilter
from tests.conftest import raw_submission
from tests.support.actors import as_staff

PH = "paijat-hame-employer-services"
LAHTI = "lahti-employer-services"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def submit(session: Session, **changes: str) -> Case:
    return cases.submit_case(session, raw_submission(**changes))


def ids(page: queues.QueuePage) -> list[int]:
    return [c.id for c in page.cases]


def everything(session: Session, actor, queue, sort=None, filters=queues.NO_FILTERS, limit=2):
    """Every case of the queue, following the cursors page by page."""
    found, cursor = [], None
    while True:
        page = queues.list_queue(session, actor, queue, filters, sort, cursor, limit, NOW)
        found += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return found


def set_times(session: Session, case: Case, **values) -> None:
    session.execute(update(Case).where(Case.id == case.id).values(**values))
    session.commit()
    session.expire_all()


def test_next_queue_is_the_teams_open_cases_nearest_due_first(session, make_user) -> None:
    adviser = make_user()
    a, b, c, d = (submit(session) for _ in range(4))
    submit(session, municipality="398")  # Lahti's: not this adviser's
    set_times(session, a, sla_due_at=NOW + timedelta(hours=3))
    set_times(session, b, sla_due_at=NOW + timedelta(hours=1))
    set_times(session, c, sla_due_at=None)
    set_times(session, d, sla_due_at=NOW + timedelta(hours=2))
    actor = as_staff(adviser)
    queue = queues.open_queue(session, actor, "next")
    assert everything(session, actor, queue) == [b.id, d.id, a.id, c.id]
    assert everything(session, actor, queue, limit=1) == [b.id, d.id, a.id, c.id]
    assert everything(session, actor, queue, Sort.RECEIVED) == [a.id, b.id, c.id, d.id]
    set_times(session, c, updated_at=NOW + timedelta(days=1))
    assert everything(session, actor, queue, Sort.ACTIVITY)[0] == c.id


def test_each_queue_lists_its_own_cases(session, make_user) -> None:
    adviser = make_user()
    other = make_user("o@example.fi")
    regional = make_user("r@example.fi", teams=(PH, "regional-international"))
    manager = make_user("m@example.fi", role="manager", teams=())
    mine, theirs, free, done = (submit(session) for _ in range(4))
    lahti_case = submit(session, municipality="398")
    international = submit(session, need="international")
    cases.claim(session, as_staff(adviser), mine.id)
    cases.claim(session, as_staff(other), theirs.id)
    cases.change_status(session, as_staff(adviser), done.id, "resolved")
    session.add(CaseFollower(case_id=lahti_case.id, user_id=adviser.id, reason="key_account"))
    session.commit()
    actor = as_staff(adviser)

    def listed(who, name: str) -> set[int]:
        queue = queues.open_queue(session, who, name)
        return set(everything(session, who, queue, limit=100))

    assert listed(actor, "mine") == {mine.id}
    assert listed(actor, "unassigned") == {free.id}
    assert listed(actor, "watching") == {lahti_case.id}
    assert listed(actor, "done") == {done.id}
    assert done.id not in listed(actor, "next")
    team = f"team/{international.team.slug}"
    assert listed(as_staff(regional), team) == {international.id}
    assert listed(as_staff(manager), "authority") == {
        c.id for c in (mine, theirs, free) if c.authority_slug == "paijat-hame"
    } | ({international.id} if international.authority_slug == "paijat-hame" else set())
    with pytest.raises(Forbidden):
        queues.open_queue(session, actor, "authority")
    with pytest.raises(Forbidden):
        queues.open_queue(session, actor, team)
    with pytest.raises(NotFound):
        queues.open_queue(session, actor, "team/nope")
    with pytest.raises(NotFound):
        queues.open_queue(session, actor, "everything")


def test_filters(session, make_user) -> None:
    adviser = make_user()
    orimattila = submit(session)
    heinola = submit(session, municipality="111", language="sv", need="job-ad")
    waiting = submit(session)
    cases.change_status(session, as_staff(adviser), waiting.id, "waiting")
    cases.claim(session, as_staff(adviser), heinola.id)
    set_times(session, orimattila, sla_due_at=NOW - timedelta(minutes=1), sla_warn_at=NOW)
    set_times(
        session,
        heinola,
        sla_due_at=NOW + timedelta(hours=1),
        sla_warn_at=NOW - timedelta(hours=1),
        created_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC),  # 21.11. in Helsinki
    )
    actor = as_staff(adviser)
    queue = queues.open_queue(session, actor, "next")

    def found(**values) -> set[int]:
        page = queues.list_queue(session, actor, queue, CaseFilters(**values), now=NOW)
        return set(ids(page))

    everyone = {orimattila.id, heinola.id, waiting.id}
    assert found() >= everyone
    assert heinola.id in found(need="job-ad") and orimattila.id not in found(need="job-ad")
    assert found(municipality="Heinola") == {heinola.id}
    assert found(statuses=("waiting",)) == {waiting.id}
    assert found(language="sv") == {heinola.id}
    assert found(assignee_id=adviser.id) == {heinola.id}
    assert heinola.id not in found(unassigned=True)
    assert found(sla_states=("breached",)) == {orimattila.id}
    assert found(sla_states=("at_risk",)) == {heinola.id}
    assert found(sla_states=("paused",)) == {waiting.id}
    assert found(sla_states=("breached", "paused")) == {orimattila.id, waiting.id}
    assert not found(sla_states=("on_track",)) & {orimattila.id, heinola.id, waiting.id}
    day = date(2026, 11, 21)
    assert found(received_from=day, received_to=day) == {heinola.id}
    assert heinola.id not in found(received_from=date(2026, 11, 22))
    for bad, field in [
        ({"need": "nope"}, "need"),
        ({"municipality": "Atlantis"}, "municipality"),
        ({"statuses": ("gone",)}, "status"),
        ({"language": "de"}, "language"),
        ({"sla_states": ("late",)}, "sla"),
        ({"received_from": day, "received_to": day - timedelta(days=1)}, "received_to"),
    ]:
        with pytest.raises(InvalidFilter) as caught:
            queues.list_queue(session, actor, queue, CaseFilters(**bad), now=NOW)
        assert field in caught.value.errors


def test_read_filters_from_the_url() -> None:
    filters, errors = queues.read_filters(
        {"need": ["recruitment"], "sla": ["breached", "at_risk"], "assignee": ["unassigned"]}
    )
    assert filters.need == "recruitment" and filters.unassigned and not errors
    assert filters.sla_states == ("at_risk", "breached")
    _, errors = queues.read_filters({"received_from": ["1.12.2026"], "assignee": ["x"]})
    assert errors == {"received_from": "invalid_date", "assignee": "invalid"}


@pytest.mark.parametrize("sort", list(Sort))
def test_keyset_pages_are_stable_under_inserts(session, make_user, sort) -> None:
    adviser = make_user()
    submitted = [submit(session) for _ in range(5)]
    for n, case in enumerate(submitted):
        due = None if n == 2 else NOW + timedelta(hours=n)
        set_times(session, case, sla_due_at=due, updated_at=NOW - timedelta(hours=n))
    actor = as_staff(adviser)
    queue = queues.open_queue(session, actor, "next")
    first = queues.list_queue(session, actor, queue, sort=sort, limit=2, now=NOW)
    expected = everything(session, actor, queue, sort)
    # New cases arrive between pages: the pages already seen do not shift.
    late = submit(session)
    set_times(session, late, sla_due_at=NOW - timedelta(days=1), updated_at=NOW - timedelta(days=1))
    rest, cursor = [], first.next_cursor
    while cursor:
        page = queues.list_queue(session, actor, queue, sort=sort, cursor=cursor, limit=2, now=NOW)
        rest += ids(page)
        cursor = page.next_cursor
    seen = ids(first) + rest
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i != late.id] == expected


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJkdWUiLG51bGwsLTFd", "!!!"])
def test_a_bad_cursor_is_an_invalid_filter(session, make_user, cursor) -> None:
    actor = as_staff(make_user())
    queue = queues.open_queue(session, actor, "next")
    with pytest.raises(InvalidFilter) as caught:
        queues.list_queue(session, actor, queue, cursor=cursor, now=NOW)
    assert caught.value.errors == {"cursor": "invalid"}


def test_a_cursor_of_another_sort_is_refused(session, make_user) -> None:
    actor = as_staff(make_user())
    for _ in range(3):
        submit(session)
    queue = queues.open_queue(session, actor, "next")
    page = queues.list_queue(session, actor, queue, sort=Sort.DUE, limit=1, now=NOW)
    assert page.next_cursor
    with pytest.raises(InvalidFilter):
        queues.list_queue(session, actor, queue, sort=Sort.RECEIVED, cursor=page.next_cursor)


def test_counts_stop_at_the_cap(session, make_user, monkeypatch) -> None:
    adviser = make_user()
    for _ in range(3):
        submit(session)
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    counts = {str(c.queue.name): c for c in queues.queue_counts(session, as_staff(adviser))}
    assert counts["next"].count == 2 and counts["next"].capped
    assert counts["mine"].count == 0 and not counts["mine"].capped
    assert list(counts) == ["next", "mine", "unassigned", "watching", "done"]


def _in_queue(user, case: Case, kind: QueueKind, team_slug: str | None) -> bool:
    """The queue's rule in Python, for the access matrix."""
    open_ = case.status in ("new", "open", "waiting")
    team_ids = {t.id for t in user.teams}
    everything_ = user.role == "admin"
    if kind is QueueKind.DONE:
        return not open_
    if not open_:
        return False
    if kind is QueueKind.NEXT:
        return everything_ or case.team_id in team_ids
    if kind is QueueKind.MINE:
        return case.assignee_id == user.id
    if kind is QueueKind.UNASSIGNED:
        return case.assignee_id is None and (everything_ or case.team_id in team_ids)
    if kind is QueueKind.TEAM:
        return case.team.slug == team_slug
    if kind is QueueKind.WATCHING:
        return any(f.user_id == user.id for f in case.followers) or any(
            c.team_id in team_ids for c in case.collaborators
        )
    return case.authority_slug == user.authority_slug


def test_access_matrix_on_every_queue(session: Session, make_user) -> None:
    submitted = [
        submit(session, municipality=code, need=need)
        for code, need in [
            ("398", "recruitment"),  # Lahti
            ("098", "recruitment"),  # Hollola
            ("398", "international"),
            ("111", "recruitment"),  # Heinola
            ("837", "recruitment"),  # Tampere: regional intake
            ("560", "recruitment"),
        ]
    ]
    lahti_adviser = make_user("l@example.fi", authority="lahti", teams=(LAHTI,))
    ph_adviser = make_user("p@example.fi")
    regional = make_user("r@example.fi", teams=("regional-international", "regional-intake"))
    follower = make_user("f@example.fi", teams=())
    manager = make_user("m@example.fi", role="manager", authority="lahti", teams=())
    ph_manager = make_user("pm@example.fi", role="manager", teams=(PH,))
    admin = make_user("a@example.fi", role="admin", teams=())
    session.add(CaseFollower(case_id=submitted[1].id, user_id=follower.id, reason="key_account"))
    ph_case = next(c for c in submitted if c.team.slug == PH)
    collaboration.add_collaborator(session, as_staff(ph_adviser), ph_case.id, LAHTI)
    cases.claim(session, as_staff(ph_adviser), ph_case.id)
    cases.change_status(session, as_staff(admin), submitted[3].id, "resolved")
    session.commit()
    users = (lahti_adviser, ph_adviser, regional, follower, manager, ph_manager, admin)
    for user in users:
        session.expire_all()
        actor = as_staff(user)
        all_cases = list(session.scalars(select(Case)))
        for queue in queues.available_queues(actor):
            name: QueueName = queue.name
            found = set(everything(session, actor, queue, limit=100))
            expected = {
                c.id
                for c in all_cases
                if can_view(actor, c) and _in_queue(user, c, name.kind, name.team_slug)
            }
            assert found == expected, (user.email, str(name))
            count = next(
                c.count for c in queues.queue_counts(session, actor) if c.queue.name == name
            )
            assert count == len(expected), (user.email, str(name))


@pytest.mark.parametrize("sort", list(Sort))
def test_a_queue_over_several_teams_merges_their_pages(session, make_user, sort) -> None:
    adviser = make_user(teams=(PH, LAHTI))
    submitted = [submit(session, municipality="398" if n % 2 else "560") for n in range(6)]
    for n, case in enumerate(submitted):
        due = None if n in (1, 4) else NOW + timedelta(minutes=(n * 37) % 11)
        set_times(session, case, sla_due_at=due, updated_at=NOW - timedelta(minutes=(n * 7) % 5))
    actor = as_staff(adviser)
    queue = queues.open_queue(session, actor, "next")
    column = {"due": "sla_due_at", "received": "created_at", "activity": "updated_at"}[sort]
    rows = list(session.scalars(select(Case).where(Case.id.in_([c.id for c in submitted]))))

    def key(case: Case):
        value = getattr(case, column)
        if sort is Sort.ACTIVITY:
            return (-value.timestamp(), -case.id)
        return (value is None, value or NOW, case.id)

    expected = [c.id for c in sorted(rows, key=key)]
    assert everything(session, actor, queue, sort, limit=1) == expected
    assert everything(session, actor, queue, sort, limit=4) == expected
