"""The administrator's command-line tools: export cases, rebuild the search index.

Long work reports progress through a callback (the CLI's progress bar), in batches so memory
stays flat whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desk.db import is_postgresql
from desk.models import Case, CaseMessage, Team, User
from desk.models.search_index import FTS_TABLE, PG_INDEXES, SQLITE_BACKFILL

# The columns of an export: the case's facts, not the contact person's details.
EXPORT_COLUMNS = (
    "reference",
    "received_at",
    "status",
    "need",
    "municipality",
    "authority",
    "team",
    "assignee",
    "business_id",
    "organisation_name",
    "language",
    "first_response_at",
    "resolved_at",
    "resolution_category",
    "sla_due_at",
)

Progress = Callable[[int], None]


def _period(since: datetime | None, until: datetime | None) -> list[Any]:
    conditions: list[Any] = []
    if since is not None:
        conditions.append(Case.created_at >= since)
    if until is not None:
        conditions.append(Case.created_at < until)
    return conditions


def count_cases(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> int:
    """How many cases an export of this period holds."""
    stmt = select(func.count()).select_from(Case).where(*_period(since, until))
    return int(session.scalar(stmt) or 0)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_cases(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    batch_size: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Every case of the period (received in [since, until)), by id, in keyset batches."""
    last_id = 0
    while True:
        stmt = (
            select(
                Case.id,
                Case.reference,
                Case.created_at,
                Case.status,
                Case.need_code,
                Case.municipality_code,
                Case.authority_slug,
                Team.slug,
                User.email,
                Case.business_id,
                Case.organisation_name,
                Case.language,
                Case.first_response_at,
                Case.resolved_at,
                Case.resolution_category,
                Case.sla_due_at,
            )
            .join(Team, Team.id == Case.team_id)
            .outerjoin(User, User.id == Case.assignee_id)
            .where(Case.id > last_id, *_period(since, until))
            .order_by(Case.id)
            .limit(batch_size)
        )
        rows = session.execute(stmt).all()
        if not rows:
            return
        for row in rows:
            yield {
                "reference": row.reference,
                "received_at": _iso(row.created_at),
                "status": row.status,
                "need": row.need_code,
                "municipality": row.municipality_code,
                "authority": row.authority_slug,
                "team": row.slug,
                "assignee": row.email,
                "business_id": row.business_id,
                "organisation_name": row.organisation_name,
                "language": row.language,
                "first_response_at": _iso(row.first_response_at),
                "resolved_at": _iso(row.resolved_at),
                "resolution_category": row.resolution_category,
                "sla_due_at": _iso(row.sla_due_at),
            }
        last_id = rows[-1].id


def search_index_size(session: Session) -> int:
    """Rows the rebuild goes through: cases plus messages."""
    cases = session.scalar(select(func.count()).select_from(Case)) or 0
    messages = session.scalar(select(func.count()).select_from(CaseMessage)) or 0
    return int(cases) + int(messages)


def rebuild_search_index(session: Session, progress: Progress | None = None) -> int:
    """Rebuild the full-text index from the cases and messages; returns the rows indexed.

    PostgreSQL: the vectors are generated columns, so REINDEX of the GIN indexes is the whole
    job. SQLite: the FTS5 table is emptied and filled again in one transaction (searches see
    the old index until it commits).
    """
    step = progress or (lambda _n: None)
    cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    messages = int(session.scalar(select(func.count()).select_from(CaseMessage)) or 0)
    if is_postgresql(session):
        for index, done in zip(PG_INDEXES, (cases, messages), strict=True):
            session.execute(text(f"REINDEX INDEX {index}"))
            step(done)
    else:
        session.execute(text(f"DELETE FROM {FTS_TABLE}"))
        for statement, done in zip(SQLITE_BACKFILL, (cases, messages), strict=True):
            session.execute(text(statement))
            step(done)
    session.commit()
    return cases + messages
