"""Administrators' routing rules: a versioned draft, validated on save, dry-run, published.

Every saved change (add, edit, reorder, enable/disable, delete, discard, restore) becomes a
new immutable version recording who and when. The newest published version is in force; a
newer version whose rules differ is the draft. A change is refused, and nothing is stored,
when the resulting rule set is invalid (desk.domain.routing_rules.validate_rules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.routing import RoutingRequest, Rule
from desk.domain.routing_rules import (
    DryRunOutcome,
    InvalidRuleInput,
    RawRule,
    add_rule,
    check_rules,
    compare,
    delete_rule,
    move_rule,
    parse_rule_input,
    replace_rule,
    rules_from_dicts,
    rules_to_dicts,
    set_enabled,
)
from desk.models import Case, KeyAccount, RoutingRuleSetVersion, User, utcnow
from desk.services.access import Actor, require_admin
from desk.services.errors import Conflict, NotFound
from desk.services.reference_data import snapshot
from desk.services.routing import published_version

MAX_DRY_RUN_DAYS = 366


def head_version(session: Session) -> RoutingRuleSetVersion:
    """The newest version (the draft, or the published set when there is no draft)."""
    version = session.scalar(
        select(RoutingRuleSetVersion).order_by(RoutingRuleSetVersion.number.desc()).limit(1)
    )
    if version is None:
        published_version(session)  # raises RulesNotLoaded
        raise AssertionError("unreachable")
    return version


@dataclass(frozen=True)
class RuleSetState:
    """What the administrator edits: the head version and the published one beside it."""

    head: RoutingRuleSetVersion
    published: RoutingRuleSetVersion
    rules: tuple[Rule, ...]
    published_rules: tuple[Rule, ...]

    @property
    def has_draft(self) -> bool:
        """True when the head is newer than the published set and its rules differ."""
        return self.head.number > self.published.number and self.rules != self.published_rules

    @property
    def changed_rule_ids(self) -> frozenset[str]:
        """Ids of draft rules that are new or differ from the published ones."""
        published = {rule.id: rule for rule in self.published_rules}
        return frozenset(rule.id for rule in self.rules if published.get(rule.id) != rule)


def state(session: Session) -> RuleSetState:
    """The draft (or the published set) and the published set."""
    head = head_version(session)
    published = published_version(session)
    return RuleSetState(
        head, published, rules_from_dicts(head.rules), rules_from_dicts(published.rules)
    )


def _save(
    session: Session,
    actor: Actor,
    base_version: int,
    rules: tuple[Rule, ...],
    action: str,
    rule_id: str,
) -> RoutingRuleSetVersion:
    """Validate and store the rules as a new version; raises InvalidRuleSet or Conflict."""
    admin = require_admin(actor, "edit routing rules")
    head = head_version(session)
    if head.number != base_version:
        raise Conflict("stale_version", f"the rules are at version {head.number} now")
    check_rules(rules, snapshot(session))
    stored = rules_to_dicts(rules)
    if stored == head.rules:
        return head
    version = RoutingRuleSetVersion(
        number=head.number + 1,
        rules=stored,
        action=action,
        rule_id=rule_id,
        created_by_id=admin.id,
        created_at=utcnow(),
    )
    session.add(version)
    try:
        session.commit()
    except IntegrityError as exc:  # another administrator saved the same number first
        session.rollback()
        raise Conflict("stale_version") from exc
    return version


def _current(session: Session, base_version: int) -> tuple[Rule, ...]:
    head = head_version(session)
    if head.number != base_version:
        raise Conflict("stale_version", f"the rules are at version {head.number} now")
    return rules_from_dicts(head.rules)


def add(
    session: Session, actor: Actor, base_version: int, raw: RawRule, before: str = ""
) -> RoutingRuleSetVersion:
    """Add a rule above the rule `before` (default: above the catch-all).

    Raises InvalidRuleInput (form fields), InvalidRuleSet (the resulting set) or Conflict.
    """
    require_admin(actor, "edit routing rules")
    rules = _current(session, base_version)
    errors: dict[str, str] = {}
    try:
        rule = parse_rule_input(raw)
    except InvalidRuleInput as exc:
        errors = dict(exc.errors)
    else:
        if any(existing.id == rule.id for existing in rules):
            errors["id"] = "duplicate"
    if before and not any(existing.id == before for existing in rules):
        errors["before"] = "invalid"
    if errors:
        raise InvalidRuleInput(errors)
    added = add_rule(rules, rule, before)
    return _save(session, actor, base_version, added, "added", rule.id)


def edit(
    session: Session, actor: Actor, base_version: int, rule_id: str, raw: RawRule
) -> RoutingRuleSetVersion:
    """Change a rule's conditions, team or state (its id stays)."""
    require_admin(actor, "edit routing rules")
    rules = _current(session, base_version)
    if not any(rule.id == rule_id for rule in rules):
        raise NotFound(rule_id)
    rule = parse_rule_input(replace(raw, id=rule_id))  # the id of a rule never changes
    return _save(
        session, actor, base_version, replace_rule(rules, rule_id, rule), "edited", rule_id
    )


def move(
    session: Session, actor: Actor, base_version: int, rule_id: str, direction: str
) -> RoutingRuleSetVersion:
    """Move a rule one place up or down."""
    require_admin(actor, "edit routing rules")
    if direction not in ("up", "down"):
        raise Conflict("invalid_direction", direction)
    rules = _current(session, base_version)
    if not any(rule.id == rule_id for rule in rules):
        raise NotFound(rule_id)
    moved = move_rule(rules, rule_id, -1 if direction == "up" else 1)
    return _save(session, actor, base_version, moved, "moved", rule_id)


def toggle(
    session: Session, actor: Actor, base_version: int, rule_id: str, enabled: bool
) -> RoutingRuleSetVersion:
    """Enable or disable a rule."""
    require_admin(actor, "edit routing rules")
    rules = _current(session, base_version)
    if not any(rule.id == rule_id for rule in rules):
        raise NotFound(rule_id)
    action = "enabled" if enabled else "disabled"
    return _save(
        session, actor, base_version, set_enabled(rules, rule_id, enabled), action, rule_id
    )


def delete(
    session: Session, actor: Actor, base_version: int, rule_id: str
) -> RoutingRuleSetVersion:
    """Remove a rule from the draft."""
    require_admin(actor, "edit routing rules")
    rules = _current(session, base_version)
    if not any(rule.id == rule_id for rule in rules):
        raise NotFound(rule_id)
    return _save(session, actor, base_version, delete_rule(rules, rule_id), "deleted", rule_id)


def discard(session: Session, actor: Actor, base_version: int) -> RoutingRuleSetVersion:
    """Drop the draft: a new version with the published rules (the history keeps the draft)."""
    require_admin(actor, "edit routing rules")
    current = state(session)
    if current.head.number != base_version:
        raise Conflict("stale_version")
    if not current.has_draft:
        raise Conflict("no_draft")
    return _save(session, actor, base_version, current.published_rules, "discarded", "")


def restore(
    session: Session, actor: Actor, base_version: int, number: int
) -> RoutingRuleSetVersion:
    """Make an earlier version's rules the draft again."""
    require_admin(actor, "edit routing rules")
    old = version(session, number)
    rules = rules_from_dicts(old.rules)
    return _save(session, actor, base_version, rules, "restored", str(number))


def publish(session: Session, actor: Actor, base_version: int) -> RoutingRuleSetVersion:
    """Put the draft in force: new requests are routed by it from now on."""
    admin = require_admin(actor, "edit routing rules")
    current = state(session)
    if current.head.number != base_version:
        raise Conflict("stale_version")
    if not current.has_draft:
        raise Conflict("no_draft")
    check_rules(current.rules, snapshot(session))  # reference data may have changed since
    current.head.published_at = utcnow()
    current.head.published_by_id = admin.id
    current.head.published_by = admin
    session.commit()
    return current.head


def versions(session: Session) -> list[RoutingRuleSetVersion]:
    """The whole history, newest first."""
    stmt = select(RoutingRuleSetVersion).order_by(RoutingRuleSetVersion.number.desc())
    return list(session.scalars(stmt))


def version(session: Session, number: int) -> RoutingRuleSetVersion:
    """One version by its number."""
    found = session.scalar(
        select(RoutingRuleSetVersion).where(RoutingRuleSetVersion.number == number)
    )
    if found is None:
        raise NotFound(str(number))
    return found


@dataclass(frozen=True)
class DryRun:
    """The draft's effect on the cases of the last `days` days, before publishing."""

    days: int
    since: datetime
    published_number: int
    draft_number: int
    has_draft: bool
    outcome: DryRunOutcome


def dry_run(session: Session, days: int, now: datetime | None = None) -> DryRun:
    """Re-route the cases received in the last `days` days under the draft and the published
    rules; count those whose team would change, and where they would go. Changes nothing.
    """
    if not 1 <= days <= MAX_DRY_RUN_DAYS:
        raise ValueError("days")
    now = now or utcnow()
    since = now - timedelta(days=days)
    current = state(session)
    rows = session.execute(
        select(
            Case.reference,
            Case.need_code,
            Case.municipality_code,
            Case.municipality_text,
            Case.affected_employees,
            Case.language,
            Case.business_id,
        )
        .where(Case.created_at >= since)
        .order_by(Case.created_at, Case.id)
    ).all()
    business_ids = sorted({row.business_id for row in rows})
    with_key_account = set(
        session.scalars(
            select(KeyAccount.business_id).where(
                KeyAccount.business_id.in_(business_ids),
                KeyAccount.adviser.has(User.active.is_(True)),
            )
        )
    )
    requests = (
        (
            row.reference,
            RoutingRequest(
                need=row.need_code,
                municipality_code=row.municipality_code,
                municipality_text=row.municipality_text,
                affected_employees=row.affected_employees,
                has_key_account=row.business_id in with_key_account,
                language=row.language,
            ),
        )
        for row in rows
    )
    outcome = compare(requests, current.published_rules, current.rules)
    session.commit()  # end the read transaction
    return DryRun(
        days=days,
        since=since,
        published_number=current.published.number,
        draft_number=current.head.number,
        has_draft=current.has_draft,
        outcome=outcome,
    )
