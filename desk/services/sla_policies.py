"""SLA settings: versioned policies, local closure days, business hours and the calendars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.db import insert_for
from desk.domain.business_calendar import (
    HELSINKI,
    BusinessCalendar,
    CalendarError,
    WeeklyHours,
    calendar_for,
)
from desk.domain.errors import FieldErrors
from desk.domain.sla import Policy
from desk.models import Authority, BusinessHoursRow, ClosureDay, Need, SlaPolicy, utcnow
from desk.services.access import Actor, require_admin
from desk.services.errors import Conflict, NotFound
from desk.services.sla_config import (
    SESSION_KEY,
    SlaConfig,
    configured_sla_config,
    read_sla_config,
)
from desk.services.stable_data import cached

# --- policies -----------------------------------------------------------------------------


def _newest(session: Session, need: str, priority: str) -> SlaPolicy | None:
    return session.scalar(
        select(SlaPolicy)
        .where(SlaPolicy.need_code == need, SlaPolicy.priority == priority)
        .order_by(SlaPolicy.version.desc())
        .limit(1)
    )


def current_policy_row(session: Session, need: str, priority: str = "") -> SlaPolicy | None:
    """The newest policy version for the need (and priority, else any priority)."""
    row = _newest(session, need, priority) if priority else None
    return row if row is not None else _newest(session, need, "")


def policy_values(row: SlaPolicy) -> Policy:
    """The domain policy of a stored version."""
    return Policy(row.first_response_minutes, row.resolution_minutes, row.warning_percent)


def _fallback(session: Session, need: str, priority: str = "") -> Policy:
    """The configured file's default policy, for a need without a stored one."""
    config = configured_sla_config(session)
    policy = config.policy_for(need, priority) or config.policy_for("other")
    if policy is None:
        raise NotFound(f"no SLA policy for need {need!r}")
    return policy


def effective_policy(session: Session, need: str, priority: str = "") -> Policy:
    """The policy new cases of the need get now (the configured default if none is stored)."""
    row = current_policy_row(session, need, priority)
    return policy_values(row) if row is not None else _fallback(session, need, priority)


def _insert_version(
    session: Session, need: str, priority: str, version: int, policy: Policy, user_id: int | None
) -> None:
    """Insert a version unless a concurrent writer already did (no error, no duplicate)."""
    session.execute(
        insert_for(session, SlaPolicy)
        .values(
            need_code=need,
            priority=priority,
            version=version,
            first_response_minutes=policy.first_response_minutes,
            resolution_minutes=policy.resolution_minutes,
            warning_percent=policy.warning_percent,
            created_at=utcnow(),
            created_by_id=user_id,
        )
        .on_conflict_do_nothing(index_elements=["need_code", "priority", "version"])
    )


def policy_for_new_case(session: Session, need: str, priority: str = "") -> SlaPolicy:
    """The stored policy version a new case is opened under (version 1 is made if missing)."""
    row = current_policy_row(session, need, priority)
    if row is None:
        _insert_version(session, need, "", 1, _fallback(session, need), None)
        row = current_policy_row(session, need, priority)
    if row is None:  # pragma: no cover - the insert above or a concurrent one made it
        raise NotFound(f"no SLA policy for need {need!r}")
    return row


@dataclass(frozen=True)
class PolicyListing:
    """A need with the policy that applies to new cases and its version (0: configured default)."""

    need: Need
    policy: Policy
    version: int


def list_policies(session: Session) -> list[PolicyListing]:
    """Every need in catalogue order with its current policy (for admins and the public page)."""
    newest = (
        select(SlaPolicy.need_code, func.max(SlaPolicy.version).label("version"))
        .where(SlaPolicy.priority == "")
        .group_by(SlaPolicy.need_code)
        .subquery()
    )
    rows = {
        row.need_code: row
        for row in session.scalars(
            select(SlaPolicy).join(
                newest,
                (SlaPolicy.need_code == newest.c.need_code)
                & (SlaPolicy.version == newest.c.version),
            )
        )
        if row.priority == ""
    }
    listing = []
    for need in session.scalars(select(Need).order_by(Need.position)):
        row = rows.get(need.code)
        if row is not None:
            listing.append(PolicyListing(need, policy_values(row), row.version))
        else:
            listing.append(PolicyListing(need, _fallback(session, need.code), 0))
    return listing


def change_policy(
    session: Session,
    actor: Actor,
    need: str,
    first_response_minutes: int,
    resolution_minutes: int,
    warning_percent: int,
) -> SlaPolicy:
    """Store a new version of the need's policy; it applies to cases opened from now on.

    Raises ValueError (from the domain's Policy) for values that cannot be a policy.
    """
    user = require_admin(actor, "change service-level policies")
    if session.get(Need, need) is None:
        raise NotFound(need)
    policy = Policy(first_response_minutes, resolution_minutes, warning_percent)
    current = current_policy_row(session, need)
    if current is None:
        # Keep the configured default as version 1 so the history shows what applied before.
        _insert_version(session, need, "", 1, _fallback(session, need), None)
        current = current_policy_row(session, need)
    version = (current.version if current else 0) + 1
    if current is not None and policy_values(current) == policy:
        raise Conflict("unchanged", "the policy already has these values")
    _insert_version(session, need, "", version, policy, user.id)
    row = current_policy_row(session, need)
    if row is None or row.version != version or row.created_by_id != user.id:
        session.rollback()
        raise Conflict("concurrent_change", "someone changed the policy at the same time")
    session.commit()
    return row


def policy_history(session: Session, need: str) -> list[SlaPolicy]:
    """Every stored version of the need's policy, newest first."""
    stmt = select(SlaPolicy).where(SlaPolicy.need_code == need).order_by(SlaPolicy.version.desc())
    return list(session.scalars(stmt))


# --- closure days ---------------------------------------------------------------------------


def list_closure_days(session: Session, since: date | None = None) -> list[ClosureDay]:
    """Local closure days in date order (from `since` when given)."""
    stmt = select(ClosureDay).order_by(ClosureDay.day, ClosureDay.authority_slug)
    if since is not None:
        stmt = stmt.where(ClosureDay.day >= since)
    return list(session.scalars(stmt))


class InvalidClosureDay(FieldErrors):
    """The closure day cannot be added; errors maps "day" to a code (past)."""


def add_closure_day(
    session: Session,
    actor: Actor,
    day: date,
    authority: str | None,
    note: str,
    today: date | None = None,
) -> ClosureDay:
    """Close the desk (or one authority) on a day from today (Helsinki) on.

    Raises InvalidClosureDay for a past day (it would change clocks already run, and the
    page lists only days from today, so it could never be seen or removed) and Conflict when
    the day already is one.
    """
    user = require_admin(actor, "change closure days")
    if day < (today or datetime.now(HELSINKI).date()):
        raise InvalidClosureDay({"day": "past"})
    if authority is not None and session.get(Authority, authority) is None:
        raise NotFound(authority)
    duplicate = session.scalar(
        select(ClosureDay).where(
            ClosureDay.day == day,
            ClosureDay.authority_slug.is_(None)
            if authority is None
            else ClosureDay.authority_slug == authority,
        )
    )
    if duplicate is not None:
        raise Conflict("duplicate_closure", "that day is already a closure day")
    row = ClosureDay(
        day=day,
        authority_slug=authority,
        note=note.strip()[:200],
        created_at=utcnow(),
        created_by_id=user.id,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("duplicate_closure", "that day is already a closure day") from exc
    return row


def list_authorities(session: Session) -> list[Authority]:
    """The authorities, for choosing whose closure day it is."""
    return list(session.scalars(select(Authority).order_by(Authority.slug)))


def remove_closure_day(session: Session, actor: Actor, closure_id: int) -> None:
    """Open the desk again on a closure day."""
    require_admin(actor, "change closure days")
    row = session.get(ClosureDay, closure_id)
    if row is None:
        raise NotFound(str(closure_id))
    session.delete(row)
    session.commit()


# --- business hours and calendars -----------------------------------------------------------


class Calendars:
    """The business calendar of each authority: its hours, holidays and closure days."""

    def __init__(
        self, hours: dict[str, WeeklyHours], default: WeeklyHours, closures: list[ClosureDay]
    ) -> None:
        self._hours = hours
        self._default = default
        shared = frozenset(c.day for c in closures if c.authority_slug is None)
        own: dict[str, set[date]] = {}
        for closure in closures:
            if closure.authority_slug is not None:
                own.setdefault(closure.authority_slug, set()).add(closure.day)
        self._closures = {slug: shared | frozenset(days) for slug, days in own.items()}
        self._shared = shared

    def for_authority(self, authority: str) -> BusinessCalendar:
        """The calendar cases of the authority are measured on."""
        return calendar_for(
            self._hours.get(authority, self._default), self._closures.get(authority, self._shared)
        )


def load_calendars(session: Session) -> Calendars:
    """Every authority's calendar (the process's copy while hours and closure days are
    unchanged: desk.services.stable_data; one per SLA configuration file)."""
    path = session.info.get(SESSION_KEY, "")
    return cached(session, ("calendars", path), _read_calendars)


def _read_calendars(session: Session) -> Calendars:
    config = configured_sla_config(session)
    # Stored hours win; the configured file answers for an authority without a stored row.
    hours: dict[str, WeeklyHours] = dict(config.authority_hours)
    for row in session.scalars(select(BusinessHoursRow)):
        try:
            hours[row.authority_slug] = WeeklyHours.parse(row.hours)
        except CalendarError:
            continue  # a broken row never stops the clocks: the configured hours apply
    return Calendars(hours, config.hours, list(session.scalars(select(ClosureDay))))


# --- setup -------------------------------------------------------------------------------------


def load_sla_config(session: Session, path: str | Path) -> SlaConfig:
    """`desk setup`: store business hours per authority and version 1 of missing policies.

    Policies already stored (perhaps edited by administrators) are never overwritten.
    """
    config = read_sla_config(path)
    for authority in session.scalars(select(Authority)):
        mapping = config.hours_for(authority.slug).as_mapping()
        row = session.get(BusinessHoursRow, authority.slug)
        if row is None:
            session.add(BusinessHoursRow(authority_slug=authority.slug, hours=mapping))
        elif row.hours != mapping:
            row.hours = mapping
    for need in session.scalars(select(Need)):
        for (code, priority), policy in config.policies.items():
            if code == need.code and _newest(session, code, priority) is None:
                _insert_version(session, code, priority, 1, policy, None)
    session.commit()
    return config
