"""The employer's whole picture: every case of one Business ID that the adviser may open, in
both authorities, with its key-account adviser, contact persons and open/closed counts.

Everything here is counted and listed within `access.visible_cases_condition`: the counts are
of the cases the adviser may open, and how many others exist is not said (that another
authority has cases of the employer, and how many, is itself case data). Lists are bounded:
the latest cases a page at a time (keyset on created_at, id over ix_cases_business_created),
the most recent contact persons and organisation names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, lazyload

from desk.domain.business_id import normalise_business_id
from desk.domain.case_status import ACTIVE
from desk.models import Authority, Case, KeyAccount
from desk.services.access import Actor, visible_cases_condition

PAGE_SIZE = 25
MAX_CONTACTS = 20
MAX_NAMES = 10


@dataclass(frozen=True)
class Contact:
    """A contact person named in the employer's cases, and when last."""

    name: str
    email: str
    phone: str
    last_seen: datetime


@dataclass(frozen=True)
class Before:
    """Where a page of cases ends: the (created_at, id) of its last case."""

    created_at: datetime
    case_id: int


@dataclass(frozen=True)
class AuthorityCounts:
    """Open (new, open, waiting) and closed (resolved, closed) visible cases of one authority."""

    authority: Authority
    open: int
    closed: int


@dataclass(frozen=True)
class EmployerOverview:
    """What the adviser may see of one employer (Business ID)."""

    business_id: str
    organisation_names: list[str]
    key_account: KeyAccount | None
    counts: list[AuthorityCounts]
    cases: list[Case]
    next_before: Before | None
    contacts: list[Contact]

    @property
    def open_count(self) -> int:
        """Open visible cases in both authorities."""
        return sum(row.open for row in self.counts)

    @property
    def closed_count(self) -> int:
        """Closed visible cases in both authorities."""
        return sum(row.closed for row in self.counts)


def canonical_business_id(text: str) -> str:
    """The Business ID in its NNNNNNN-C form; InvalidBusinessId if it is not one."""
    return normalise_business_id(text)


def employer_overview(
    session: Session,
    actor: Actor,
    business_id: str,
    before: Before | None = None,
    limit: int = PAGE_SIZE,
) -> EmployerOverview:
    """The employer's whole picture as the actor may see it; InvalidBusinessId for a bad ID."""
    visible = visible_cases_condition(actor)  # Forbidden for anyone but staff
    business_id = normalise_business_id(business_id)
    limit = max(1, min(limit, 100))
    mine = and_(Case.business_id == business_id, visible)

    stmt = (
        select(Case)
        .where(mine)
        .options(
            lazyload(Case.messages),
            lazyload(Case.events),
            lazyload(Case.followers),
            lazyload(Case.collaborators),
        )
    )
    if before is not None:
        stmt = stmt.where(
            or_(
                Case.created_at < before.created_at,
                and_(Case.created_at == before.created_at, Case.id < before.case_id),
            )
        )
    rows = list(
        session.scalars(stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None

    is_open = case((Case.status.in_(sorted(ACTIVE)), 1), else_=0)
    counted = session.execute(
        select(Case.authority_slug, func.sum(is_open), func.count())
        .where(mine)
        .group_by(Case.authority_slug)
        .order_by(Case.authority_slug)
    ).all()
    authorities = {a.slug: a for a in session.scalars(select(Authority))}
    counts = [
        AuthorityCounts(authorities[slug], int(opened or 0), int(total) - int(opened or 0))
        for slug, opened, total in counted
    ]

    last_seen = func.max(Case.created_at)
    contacts = [
        Contact(name, email, phone, seen)
        for name, email, phone, seen in session.execute(
            select(Case.contact_name, Case.email, Case.phone, last_seen)
            .where(mine)
            .group_by(Case.contact_name, Case.email, Case.phone)
            .order_by(last_seen.desc(), Case.contact_name)
            .limit(MAX_CONTACTS)
        )
    ]
    names = list(
        session.scalars(
            select(Case.organisation_name)
            .where(mine)
            .group_by(Case.organisation_name)
            .order_by(last_seen.desc(), Case.organisation_name)
            .limit(MAX_NAMES)
        )
    )
    return EmployerOverview(
        business_id=business_id,
        organisation_names=names,
        key_account=session.get(KeyAccount, business_id),
        counts=counts,
        cases=rows,
        next_before=Before(last.created_at, last.id) if last else None,
        contacts=contacts,
    )
