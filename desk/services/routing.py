"""Routing use cases: the rules in force, seeding them from config/, routing one request."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.business_id import normalise_business_id
from desk.domain.municipalities import resolve_municipality
from desk.domain.reference_data import ReferenceData
from desk.domain.routing import RoutingDecision, RoutingRequest, Rule, route
from desk.domain.routing_rules import check_rules, rules_from_dicts, rules_to_dicts
from desk.i18n import catalogue
from desk.models import Authority, KeyAccount, RoutingRuleSetVersion, User, utcnow
from desk.services.reference_data import load_reference_data, snapshot
from desk.services.stable_data import cached


class RulesNotLoaded(LookupError):
    """The database holds no published routing rules yet (run `desk setup`)."""


def read_rules_file(path: str | Path) -> tuple[Rule, ...]:
    """Parse config/routing.toml into rules (not yet validated against reference data)."""
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    return rules_from_dicts(data.get("rules", []))


def seed_rules(session: Session, path: str | Path) -> bool:
    """Load the default rules as published version 1 when the database has none; idempotent.

    Returns True when it loaded them. Raises InvalidRuleSet when the file is not a valid set.
    """
    if session.scalar(select(func.count()).select_from(RoutingRuleSetVersion)):
        return False
    rules = check_rules(read_rules_file(path), snapshot(session))
    now = utcnow()
    session.add(
        RoutingRuleSetVersion(
            number=1,
            rules=rules_to_dicts(rules),
            action="seeded",
            rule_id="",
            created_at=now,
            published_at=now,
        )
    )
    session.commit()
    return True


def ensure_ready(session: Session, reference_file: str | Path, rules_file: str | Path) -> None:
    """Load reference data and the default rules when the (migrated) database is empty."""
    if session.scalar(select(func.count()).select_from(Authority)) == 0:
        load_reference_data(session, reference_file)
    seed_rules(session, rules_file)


def published_version(session: Session) -> RoutingRuleSetVersion:
    """The rule-set version routing uses: the newest published one."""
    version = session.scalar(
        select(RoutingRuleSetVersion)
        .where(RoutingRuleSetVersion.published_at.is_not(None))
        .order_by(RoutingRuleSetVersion.number.desc())
        .limit(1)
    )
    if version is None:
        raise RulesNotLoaded("no published routing rules; run `desk setup`")
    return version


def rules_in_force(session: Session) -> tuple[int, tuple[Rule, ...]]:
    """(version number, rules) of the published rule set (the process's copy while no rule
    set is published or changed: desk.services.stable_data)."""
    return cached(session, "rules", _read_rules_in_force)


def _read_rules_in_force(session: Session) -> tuple[int, tuple[Rule, ...]]:
    version = published_version(session)
    return version.number, rules_from_dicts(version.rules)


def key_account_for(session: Session, business_id: str) -> KeyAccount | None:
    """The employer's key-account adviser, if one is named and still active."""
    account = session.get(KeyAccount, business_id)
    if account is None or not account.adviser.active:
        return None
    return account


@dataclass(frozen=True)
class RoutedRequest:
    """A routing decision with what it was based on."""

    decision: RoutingDecision
    municipality_code: str | None
    rule_version: int
    key_account_adviser: User | None


def route_request(
    session: Session,
    *,
    municipality_text: str,
    need: str,
    affected_employees: int | None = None,
    business_id: str = "",
    language: str = "fi",
    reference: ReferenceData | None = None,
) -> RoutedRequest:
    """Route one request by the published rules.

    The municipality may be a code or a Finnish or Swedish name; anything else is "outside
    the ten / unknown". Raises ValueError for an unknown need and InvalidBusinessId for a
    malformed Business ID.
    """
    reference = reference or snapshot(session)
    code = resolve_municipality(municipality_text, reference.municipalities.values())
    account = key_account_for(session, normalise_business_id(business_id)) if business_id else None
    number, rules = rules_in_force(session)
    decision = route(
        RoutingRequest(
            need=need,
            municipality_code=code,
            municipality_text=municipality_text,
            affected_employees=affected_employees,
            has_key_account=account is not None,
            language=language,
        ),
        rules,
        reference,
        catalogue,
    )
    return RoutedRequest(decision, code, number, account.adviser if account else None)
