"""The adviser's queues: named lists of cases with filters, three sorts, keyset pages, counts.

Every list is the queue's own condition AND the access rule as SQL
(access.visible_cases_condition), so a queue never shows a case whose page would answer
404. Pages continue after an opaque cursor (the last row's sort key and id), never OFFSET,
each read through an index that matches its queue and sort (migration 0009): page 500
costs what page 1 does. Counts for the navigation stop at COUNT_CAP ("1000+"), so they stay
cheap at a million cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, false, func, or_, select, true, tuple_, union
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.queues import (
    Cursor,
    InvalidCursor,
    QueueKind,
    QueueName,
    Sort,
    decode_cursor,
    default_sort,
    encode_cursor,
    parse_date,
    parse_queue_name,
    queue_statuses,
)
from desk.models import Case, CaseCollaborator, CaseFollower, Team, User, team_members, utcnow
from desk.services.access import (
    Actor,
    Role,
    can_list_authority,
    can_list_team,
    queue_team_ids,
    require_staff,
    role_of,
    visible_cases_condition,
)
from desk.services.errors import Forbidden, NotFound
from desk.services.team_cases import CaseFilters, InvalidFilter, filter_conditions

PAGE_SIZE = 25
MAX_PAGE = 100
COUNT_CAP = 1000
MAX_ASSIGNEES = 200
NO_FILTERS = CaseFilters()
FILTER_FIELDS = (
    "need",
    "municipality",
    "status",
    "sla",
    "language",
    "assignee",
    "received_from",
    "received_to",
)


@dataclass(frozen=True)
class Queue:
    """A queue the actor may open: its name and, for a team's queue, the team."""

    name: QueueName
    team: Team | None = None


@dataclass(frozen=True)
class QueueCount:
    """A queue with how many cases it holds, counted up to COUNT_CAP (capped: more)."""

    queue: Queue
    count: int
    capped: bool


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue and the cursor of the next page (None: this is the last)."""

    queue: Queue
    sort: Sort
    cases: list[Case]
    next_cursor: str | None


# --- which queues -------------------------------------------------------------------------


def available_queues(actor: Actor) -> list[Queue]:
    """The queues of the navigation, in order: next, mine, unassigned, each regional team
    the actor belongs to, watching, the authority's (managers, admins), done."""
    user = require_staff(actor)
    queues = [Queue(QueueName(QueueKind.NEXT)), Queue(QueueName(QueueKind.MINE))]
    queues.append(Queue(QueueName(QueueKind.UNASSIGNED)))
    for team in sorted(user.teams, key=lambda t: t.slug):
        if team.regional:
            queues.append(Queue(QueueName(QueueKind.TEAM, team.slug), team))
    queues.append(Queue(QueueName(QueueKind.WATCHING)))
    if can_list_authority(actor):
        queues.append(Queue(QueueName(QueueKind.AUTHORITY)))
    queues.append(Queue(QueueName(QueueKind.DONE)))
    return queues


def open_queue(session: Session, actor: Actor, raw_name: str) -> Queue:
    """The queue named in the URL; NotFound for no such queue, Forbidden when not theirs."""
    require_staff(actor)
    name = parse_queue_name(raw_name)
    if name is None:
        raise NotFound(raw_name)
    if name.kind is QueueKind.TEAM:
        team = session.scalar(select(Team).where(Team.slug == name.team_slug))
        if team is None:
            raise NotFound(raw_name)
        if not can_list_team(actor, team):
            raise Forbidden("only the team's members, its authority's managers and admins")
        return Queue(name, team)
    if name.kind is QueueKind.AUTHORITY and not can_list_authority(actor):
        raise Forbidden("only managers and administrators")
    return Queue(name)


def _own_condition(actor: Actor, queue: Queue) -> ColumnElement[bool]:
    user = require_staff(actor)
    kind = queue.name.kind
    team_ids = queue_team_ids(actor)
    teams: ColumnElement[bool] = (
        true() if team_ids is None else Case.team_id.in_(sorted(team_ids)) if team_ids else false()
    )
    if kind is QueueKind.NEXT:
        return teams
    if kind is QueueKind.MINE:
        return Case.assignee_id == user.id
    if kind is QueueKind.UNASSIGNED:
        return Case.assignee_id.is_(None) & teams
    if kind is QueueKind.TEAM:
        assert queue.team is not None
        return Case.team_id == queue.team.id
    if kind is QueueKind.WATCHING:
        own = sorted(t.id for t in user.teams)
        followed = select(CaseFollower.case_id).where(CaseFollower.user_id == user.id)
        helping = select(CaseCollaborator.case_id).where(CaseCollaborator.team_id.in_(own))
        # One IN over a union: a semi-join from the (few) watched cases, not a filter on
        # every open case.
        return Case.id.in_(union(followed, helping))
    if kind is QueueKind.AUTHORITY:
        return Case.authority_slug == user.authority_slug
    return true()  # done: every resolved or closed case the actor may view


def queue_condition(actor: Actor, queue: Queue) -> ColumnElement[bool]:
    """The queue's cases as SQL: its statuses, its own condition and the access rule."""
    statuses = sorted(s.value for s in queue_statuses(queue.name.kind))
    return Case.status.in_(statuses) & _own_condition(actor, queue) & visible_cases_condition(actor)


# --- counts ---------------------------------------------------------------------------------


def queue_counts(session: Session, actor: Actor) -> list[QueueCount]:
    """Each available queue with its count, up to COUNT_CAP (a LIMITed index scan each)."""
    counts = []
    for queue in available_queues(actor):
        capped = select(Case.id).where(queue_condition(actor, queue)).limit(COUNT_CAP + 1)
        found = session.scalar(select(func.count()).select_from(capped.subquery())) or 0
        counts.append(QueueCount(queue, min(found, COUNT_CAP), found > COUNT_CAP))
    return counts


# --- filters from the URL --------------------------------------------------------------------


def read_filters(args: Mapping[str, Sequence[str]]) -> tuple[CaseFilters, dict[str, str]]:
    """The filters of a queue's URL (lists of strings per name) and the errors of bad ones."""
    errors: dict[str, str] = {}

    def one(name: str) -> str | None:
        values = [v.strip() for v in args.get(name, ()) if v.strip()]
        return values[0] if values else None

    def many(name: str) -> tuple[str, ...]:
        return tuple(sorted({v.strip() for v in args.get(name, ()) if v.strip()}))

    assignee, unassigned = None, False
    raw_assignee = one("assignee")
    if raw_assignee == "unassigned":
        unassigned = True
    elif raw_assignee is not None:
        if raw_assignee.isdigit():
            assignee = int(raw_assignee)
        else:
            errors["assignee"] = "invalid"
    dates = {}
    for name in ("received_from", "received_to"):
        try:
            dates[name] = parse_date(one(name) or "")
        except ValueError:
            errors[name] = "invalid_date"
            dates[name] = None
    filters = CaseFilters(
        statuses=many("status"),
        need=one("need"),
        municipality=one("municipality"),
        assignee_id=assignee,
        unassigned=unassigned,
        language=one("language"),
        sla_states=many("sla"),
        received_from=dates["received_from"],
        received_to=dates["received_to"],
    )
    return filters, errors


def read_sort(raw: str | None, queue: Queue) -> Sort:
    """The sort named in the URL, or the queue's default; InvalidFilter for an unknown one."""
    if not raw:
        return default_sort(queue.name.kind)
    try:
        return Sort(raw)
    except ValueError:
        raise InvalidFilter({"sort": "invalid"}) from None


# --- a page -----------------------------------------------------------------------------------


Key = tuple[datetime | None, int]  # a row's sort key and id


def _sort_column(sort: Sort) -> Any:
    return {Sort.DUE: Case.sla_due_at, Sort.RECEIVED: Case.created_at}.get(sort, Case.updated_at)


def _keys(
    session: Session, stmt: Select[Any], sort: Sort, after: Cursor | None, n: int
) -> list[Key]:
    """The sort keys and ids of the first n rows after the cursor: one index range scan
    (two for the due time: the cases with one, then those without)."""
    column = _sort_column(sort)
    if sort is Sort.RECEIVED:
        if after is not None:
            stmt = stmt.where(tuple_(column, Case.id) > tuple_(after.key, after.case_id))
        return [(k, i) for k, i in session.execute(stmt.order_by(column, Case.id).limit(n))]
    if sort is Sort.ACTIVITY:
        if after is not None:
            stmt = stmt.where(tuple_(column, Case.id) < tuple_(after.key, after.case_id))
        ordered = stmt.order_by(column.desc(), Case.id.desc()).limit(n)
        return [(k, i) for k, i in session.execute(ordered)]
    keys: list[Key] = []
    if after is None or after.key is not None:
        dated = stmt.where(column.is_not(None))
        if after is not None:
            dated = dated.where(tuple_(column, Case.id) > tuple_(after.key, after.case_id))
        keys = [(k, i) for k, i in session.execute(dated.order_by(column, Case.id).limit(n))]
    if len(keys) < n:
        undated = stmt.where(column.is_(None))
        if after is not None and after.key is None:
            undated = undated.where(Case.id > after.case_id)
        # Ordered by (due, id), all due NULL: the index order, so PostgreSQL need not sort.
        rest = session.execute(undated.order_by(column, Case.id).limit(n - len(keys)))
        keys += [(None, i) for _k, i in rest]
    return keys


def _order(sort: Sort) -> Callable[[Key], Any]:
    """The Python twin of each sort's ORDER BY, to merge the per-team pages."""
    if sort is Sort.DUE:
        return lambda key: (key[0] is None, key[0] or datetime.min.replace(tzinfo=UTC), key[1])
    if sort is Sort.RECEIVED:
        return lambda key: (key[0], key[1])
    return lambda key: (-(key[0] or datetime.min.replace(tzinfo=UTC)).timestamp(), -key[1])


def _split_by_team(actor: Actor, queue: Queue) -> list[int] | None:
    """The teams to read one at a time (a queue over several teams), or None for one scan.

    PostgreSQL reads an index on (team_id, key, id) in order for one team only; for
    `team_id IN (a, b)` it would fetch and sort every open case of both. One LIMITed scan
    per team, merged here, keeps a page at a few index pages however many cases there are.
    """
    if queue.name.kind not in (QueueKind.NEXT, QueueKind.UNASSIGNED):
        return None
    team_ids = queue_team_ids(actor)
    return sorted(team_ids) if team_ids is not None and len(team_ids) > 1 else None


def list_queue(
    session: Session,
    actor: Actor,
    queue: Queue,
    filters: CaseFilters = NO_FILTERS,
    sort: Sort | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> QueuePage:
    """A page of the queue matching the filters, in the sort's order, after the cursor.

    InvalidFilter (field -> code) for bad filters, a bad cursor or limit.
    """
    sort = sort or default_sort(queue.name.kind)
    conditions, errors = filter_conditions(session, filters, now or utcnow())
    if not 1 <= limit <= MAX_PAGE:
        errors["limit"] = "invalid"
    after = None
    if cursor:
        try:
            after = decode_cursor(cursor, sort)
        except InvalidCursor:
            errors["cursor"] = "invalid"
    if errors:
        raise InvalidFilter(errors)
    # The page's keys first (cases' columns only, straight from the index), then its cases
    # with what the table shows: the joins never run over more than one page of rows.
    keyed = select(_sort_column(sort), Case.id).where(queue_condition(actor, queue), *conditions)
    teams = _split_by_team(actor, queue)
    if teams is None:
        keys = _keys(session, keyed, sort, after, limit + 1)
    else:
        keys = []
        for team_id in teams:
            keys += _keys(session, keyed.where(Case.team_id == team_id), sort, after, limit + 1)
        keys = sorted(keys, key=_order(sort))[: limit + 1]
    more = len(keys) > limit
    keys = keys[:limit]
    rows = _load(session, [case_id for _key, case_id in keys])
    next_cursor = encode_cursor(Cursor(sort, keys[-1][0], keys[-1][1])) if more else None
    return QueuePage(queue, sort, rows, next_cursor)


def _load(session: Session, ids: list[int]) -> list[Case]:
    """The cases with these ids, in this order (team, need, municipality, assignee joined)."""
    if not ids:
        return []
    stmt = (
        select(Case)
        .where(Case.id.in_(ids))
        .options(
            lazyload(Case.messages),
            lazyload(Case.events),
            lazyload(Case.followers),
            lazyload(Case.collaborators),
        )
    )
    found = {case.id: case for case in session.scalars(stmt).unique()}
    return [found[case_id] for case_id in ids if case_id in found]


# --- the filter form's choices ------------------------------------------------------------------


def assignee_choices(session: Session, actor: Actor) -> list[User]:
    """People the assignee filter offers: the active members of the actor's teams (admins:
    every active staff member), by name, at most MAX_ASSIGNEES."""
    user = require_staff(actor)
    stmt = select(User).where(User.active.is_(True))
    if role_of(user) is not Role.ADMIN:
        own = sorted(t.id for t in user.teams)
        members = select(team_members.c.user_id).where(team_members.c.team_id.in_(own))
        stmt = stmt.where(or_(User.id.in_(members), User.id == user.id))
    return list(session.scalars(stmt.order_by(User.name, User.id).limit(MAX_ASSIGNEES)))
