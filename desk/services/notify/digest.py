"""The daily digest: each morning (beat, at DIGEST_HOUR:DIGEST_MINUTE Helsinki time) one email
per staff member with the notifications they chose to get in the digest, and for managers
their authority's cases at risk of missing, or past, their service levels. Only on business
days of the staff member's authority, by the SLA engine's business calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.case_status import ACTIVE
from desk.domain.digest_schedule import helsinki_date, is_business_day
from desk.domain.notification_catalogue import Kind
from desk.models import Authority, Case, CaseSlaTarget, Notification, OutboxMessage, User, utcnow
from desk.services import outbox
from desk.services.access import Role
from desk.services.sla_policies import load_calendars

KIND = Kind.DAILY_DIGEST


@dataclass(frozen=True)
class RiskReport:
    at_risk: list[Case] = field(default_factory=list)
    breached: list[Case] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.at_risk or self.breached)


def at_risk(session: Session, authority: str) -> RiskReport:
    """An authority's active cases at risk of missing a service level, and past one.

    From the SLA engine's targets: an unmet target that has been warned of (its warning
    threshold passed) but not breached makes the case at risk; an unmet breached target makes
    it breached (the SLA sweep sets warned_at and breached_at).
    """
    unmet = (
        select(CaseSlaTarget.case_id, CaseSlaTarget.warned_at, CaseSlaTarget.breached_at)
        .join(Case, Case.id == CaseSlaTarget.case_id)
        .where(
            Case.authority_slug == authority,
            Case.status.in_([s.value for s in ACTIVE]),
            CaseSlaTarget.met_at.is_(None),
            CaseSlaTarget.warned_at.is_not(None) | CaseSlaTarget.breached_at.is_not(None),
        )
    )
    breached_ids: set[int] = set()
    at_risk_ids: set[int] = set()
    for case_id, _warned, breached in session.execute(unmet):
        (breached_ids if breached is not None else at_risk_ids).add(case_id)
    at_risk_ids -= breached_ids
    ids = breached_ids | at_risk_ids
    found = list(session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.created_at)))
    return RiskReport(
        at_risk=[case for case in found if case.id in at_risk_ids],
        breached=[case for case in found if case.id in breached_ids],
    )


def dedupe_key(user_id: int, day: str) -> str:
    """One digest per person and day."""
    return f"digest:{user_id}:{day}"


def prepare_daily_digests(session: Session, now: datetime | None = None) -> int:
    """Queue today's digests (business days only); returns how many were queued.

    A business day is one the person's authority is open on by its business calendar (the
    SLA engine's: weekly hours, Finnish holidays, closure days). Safe to run twice (two
    beats, a retried task): each person's digest of a day has a unique dedupe key, and
    notifications move into exactly one digest.
    """
    now = now or utcnow()
    day = helsinki_date(now)
    calendars = load_calendars(session)
    open_authorities = [
        slug
        for slug in session.scalars(select(Authority.slug).order_by(Authority.slug))
        if is_business_day(calendars.for_authority(slug), day)
    ]
    if not open_authorities:
        return 0
    already: set[str | None] = set(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.kind == KIND, OutboxMessage.dedupe_key.like(f"digest:%:{day}")
            )
        )
    )
    try:
        queued = _queue(session, now, day.isoformat(), already, open_authorities)
        session.commit()
    except IntegrityError:
        # Another run queued the same digests first; its transaction did this work.
        session.rollback()
        return 0
    return queued


def _queue(
    session: Session,
    now: datetime,
    day: str,
    already: set[str | None],
    open_authorities: list[str],
) -> int:
    staff = session.scalars(
        select(User)
        .where(User.active.is_(True), User.authority_slug.in_(open_authorities))
        .order_by(User.id)
    )
    reports: dict[str, RiskReport] = {}
    queued = 0
    for user in list(staff):
        key = dedupe_key(user.id, day)
        if key in already:
            continue
        held = list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id, Notification.digest_state == "pending")
                .order_by(Notification.id)
            )
        )
        report = RiskReport()
        if user.role == Role.MANAGER:
            if user.authority_slug not in reports:
                reports[user.authority_slug] = at_risk(session, user.authority_slug)
            report = reports[user.authority_slug]
        if not held and not report:
            continue
        row = outbox.enqueue(
            session,
            KIND,
            {
                "user_id": user.id,
                "date": day,
                "notification_ids": [note.id for note in held],
                "at_risk_ids": [case.id for case in report.at_risk],
                "breached_ids": [case.id for case in report.breached],
            },
            dedupe_key=key,
        )
        session.flush()
        for note in held:
            note.digest_state = "sent"
            note.digest_outbox_id = row.id
        queued += 1
    return queued
