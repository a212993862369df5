"""What changes rarely, read once per process: reference data, routing rules, calendars.

Intake used to read these on every request: eight of its 23 statements. Now each process
keeps the copy it last built, with the stamp it was built under (`desk.models.DataStamp`).
A transaction asks for the stamp once, one small query instead of eight, and rebuilds a
copy only when the stamp differs.

Whatever changes the data changes the stamp in the same transaction. The `after_flush` hook
below watches every model the copies are built from, so no writer can forget to do it.
Another process sees a change at its next transaction: there is no time-to-live and no
stale window. The stamp is a random token, not a counter, so a change that was rolled back
can never be mistaken for a different one that was committed.

Cached values are plain domain values (immutable), never ORM objects, so processes and
threads can share them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction

from desk.db import insert_for
from desk.models import (
    Authority,
    BusinessHoursRow,
    ClosureDay,
    DataStamp,
    Municipality,
    Need,
    RoutingRuleSetVersion,
    Team,
)

STAMP = "stable"
# Every model a cached copy is built from: a flush that touches one of them restamps.
WATCHED: tuple[type[Any], ...] = (
    Authority,
    Municipality,
    Need,
    Team,
    RoutingRuleSetVersion,
    BusinessHoursRow,
    ClosureDay,
)
_TOKEN_KEY = "desk.stable_token"  # session.info: the stamp read in this transaction

T = TypeVar("T")
_lock = threading.Lock()
_copies: dict[Hashable, tuple[str, Any]] = {}


def current_token(session: Session) -> str:
    """The stamp of the data as this transaction sees it (read once per transaction)."""
    token = session.info.get(_TOKEN_KEY)
    if token is None:
        token = session.scalar(select(DataStamp.token).where(DataStamp.name == STAMP))
        if token is None:  # a database from before the stamp: make it
            token = _restamp_now(session)
        session.info[_TOKEN_KEY] = token
    return str(token)


def cached(session: Session, part: Hashable, build: Callable[[Session], T]) -> T:
    """The process's copy of `part` if it was built under the current stamp, else a new one."""
    token = current_token(session)
    with _lock:
        hit = _copies.get(part)
    if hit is not None and hit[0] == token:
        value: T = hit[1]
        return value
    value = build(session)
    with _lock:
        _copies[part] = (token, value)
    return value


def forget_all() -> None:
    """Drop every copy (tests that change data behind the ORM's back)."""
    with _lock:
        _copies.clear()


def _restamp_now(session: Session) -> str:
    token = uuid4().hex
    stmt = (
        insert_for(session, DataStamp)
        .values(name=STAMP, token=token)
        .on_conflict_do_update(index_elements=[DataStamp.name], set_={"token": token})
    )
    session.connection().execute(stmt)
    return token


@event.listens_for(Session, "after_flush")
def _restamp_on_change(session: Session, _flush: UOWTransaction) -> None:
    # new/dirty/deleted still show what this flush wrote.
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, WATCHED) for obj in touched):
        session.info[_TOKEN_KEY] = _restamp_now(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _next_transaction_reads_again(session: Session) -> None:
    session.info.pop(_TOKEN_KEY, None)
