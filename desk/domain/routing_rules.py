"""Routing rules as data: reading them, validating a rule set, editing it, dry-running it.

A rule set is valid when every enabled rule can fire and every request reaches a team:
ids are unique slugs, teams, needs, municipalities and languages exist, there is an
enabled catch-all (a rule with no conditions), and no enabled rule is unreachable because
an earlier enabled rule already matches everything it would match (e.g. any rule below the
catch-all). Problems are codes with the rule they concern, translated by the web layer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from desk.domain.errors import FieldErrors
from desk.domain.languages import LANGUAGES
from desk.domain.reference_data import ReferenceData
from desk.domain.routing import RoutingRequest, Rule, first_match

RULE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MAX_RULES = 500
MAX_AFFECTED = 1_000_000
_KEYS = frozenset(
    {
        "id",
        "team",
        "municipalities",
        "outside_region",
        "needs",
        "min_affected",
        "key_account",
        "languages",
        "enabled",
    }
)


class RuleFormatError(ValueError):
    """A stored or configured rule is not in the expected shape."""


@dataclass(frozen=True)
class Problem:
    """Why a rule set is refused.

    code: missing_catch_all, unreachable (detail: the earlier rule that shadows it),
    unknown_team (detail: the slug), unknown_need, unknown_municipality, unknown_language
    (detail: the code), duplicate_id, invalid_id, invalid_affected, too_many_rules.
    """

    code: str
    rule: str = ""
    detail: str = ""


class InvalidRuleSet(ValueError):
    """The rule set has problems; nothing was saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.code}:{p.rule}:{p.detail}" for p in problems))
        self.problems = list(problems)


# --- Reading and writing ------------------------------------------------------------------


def _codes(value: Any, key: str, rule_id: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RuleFormatError(f"rule {rule_id!r}: {key} must be a list of strings")
    return frozenset(v.strip() for v in value)


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a rule from its TOML/JSON form, or raise RuleFormatError."""
    unknown = set(data) - _KEYS
    rule_id = data.get("id")
    if not isinstance(rule_id, str):
        raise RuleFormatError("every rule needs a string id")
    if unknown:
        raise RuleFormatError(f"rule {rule_id!r}: unknown keys {sorted(unknown)}")
    team = data.get("team")
    if not isinstance(team, str):
        raise RuleFormatError(f"rule {rule_id!r}: team must be a string")
    minimum = data.get("min_affected")
    if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, int)):
        raise RuleFormatError(f"rule {rule_id!r}: min_affected must be a whole number")
    key_account = data.get("key_account")
    if key_account is not None and not isinstance(key_account, bool):
        raise RuleFormatError(f"rule {rule_id!r}: key_account must be true or false")
    for flag in ("outside_region", "enabled"):
        if flag in data and not isinstance(data[flag], bool):
            raise RuleFormatError(f"rule {rule_id!r}: {flag} must be true or false")
    return Rule(
        id=rule_id,
        team=team,
        municipalities=_codes(data.get("municipalities"), "municipalities", rule_id),
        outside_region=bool(data.get("outside_region", False)),
        needs=_codes(data.get("needs"), "needs", rule_id),
        min_affected=minimum,
        key_account=key_account,
        languages=_codes(data.get("languages"), "languages", rule_id),
        enabled=bool(data.get("enabled", True)),
    )


def rules_from_dicts(rows: Iterable[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Build an ordered rule set from its stored form."""
    return tuple(rule_from_dict(row) for row in rows)


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The stored (JSON) form of a rule; empty conditions are left out, lists are sorted."""
    data: dict[str, Any] = {"id": rule.id, "team": rule.team}
    if rule.municipalities:
        data["municipalities"] = sorted(rule.municipalities)
    if rule.outside_region:
        data["outside_region"] = True
    if rule.needs:
        data["needs"] = sorted(rule.needs)
    if rule.min_affected is not None:
        data["min_affected"] = rule.min_affected
    if rule.key_account is not None:
        data["key_account"] = rule.key_account
    if rule.languages:
        data["languages"] = sorted(rule.languages)
    if not rule.enabled:
        data["enabled"] = False
    return data


def rules_to_dicts(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """The stored form of a rule set."""
    return [rule_to_dict(rule) for rule in rules]


# --- Validation ---------------------------------------------------------------------------


def covers(earlier: Rule, later: Rule) -> bool:
    """True when every request `later` matches is already matched by `earlier`."""
    if earlier.needs and not (later.needs and later.needs <= earlier.needs):
        return False
    if earlier.has_municipality_condition:
        if not later.has_municipality_condition:
            return False
        if not later.municipalities <= earlier.municipalities:
            return False
        if later.outside_region and not earlier.outside_region:
            return False
    if earlier.min_affected is not None and (
        later.min_affected is None or later.min_affected < earlier.min_affected
    ):
        return False
    if earlier.key_account is not None and later.key_account is not earlier.key_account:
        return False
    return not earlier.languages or bool(later.languages and later.languages <= earlier.languages)


def validate_rules(rules: Sequence[Rule], reference: ReferenceData) -> list[Problem]:
    """Every problem of the rule set, in rule order; an empty list means it may be saved."""
    problems: list[Problem] = []
    if len(rules) > MAX_RULES:
        problems.append(Problem("too_many_rules", detail=str(MAX_RULES)))
    counts = Counter(rule.id for rule in rules)
    reported_duplicates: set[str] = set()
    enabled_before: list[Rule] = []
    for rule in rules:
        if not RULE_ID.match(rule.id):
            problems.append(Problem("invalid_id", rule.id))
        if counts[rule.id] > 1 and rule.id not in reported_duplicates:
            reported_duplicates.add(rule.id)
            problems.append(Problem("duplicate_id", rule.id))
        if rule.team not in reference.teams:
            problems.append(Problem("unknown_team", rule.id, rule.team))
        for need in sorted(rule.needs - set(reference.needs)):
            problems.append(Problem("unknown_need", rule.id, need))
        for code in sorted(rule.municipalities - set(reference.municipalities)):
            problems.append(Problem("unknown_municipality", rule.id, code))
        for language in sorted(rule.languages - set(LANGUAGES)):
            problems.append(Problem("unknown_language", rule.id, language))
        if rule.min_affected is not None and not 0 <= rule.min_affected <= MAX_AFFECTED:
            problems.append(Problem("invalid_affected", rule.id, str(rule.min_affected)))
        if not rule.enabled:
            continue
        shadow = next((e for e in enabled_before if covers(e, rule)), None)
        if shadow is not None:
            problems.append(Problem("unreachable", rule.id, shadow.id))
        enabled_before.append(rule)
    if not any(rule.enabled and rule.is_catch_all for rule in rules):
        problems.append(Problem("missing_catch_all"))
    return problems


def check_rules(rules: Sequence[Rule], reference: ReferenceData) -> tuple[Rule, ...]:
    """Return the rules as a tuple if valid, else raise InvalidRuleSet."""
    problems = validate_rules(rules, reference)
    if problems:
        raise InvalidRuleSet(problems)
    return tuple(rules)


# --- Editing (pure: each returns a new rule set; the caller validates and stores it) -----


class RuleNotFound(LookupError):
    """No rule with that id in the set."""


def _index(rules: Sequence[Rule], rule_id: str) -> int:
    for position, rule in enumerate(rules):
        if rule.id == rule_id:
            return position
    raise RuleNotFound(rule_id)


def add_rule(rules: Sequence[Rule], rule: Rule, before: str = "") -> tuple[Rule, ...]:
    """Insert a new rule above the rule `before`; by default just above the first enabled
    catch-all (below it, it could never fire)."""
    if before:
        position = _index(rules, before)
        return (*rules[:position], rule, *rules[position:])
    for position, existing in enumerate(rules):
        if existing.enabled and existing.is_catch_all:
            return (*rules[:position], rule, *rules[position:])
    return (*rules, rule)


def replace_rule(rules: Sequence[Rule], rule_id: str, rule: Rule) -> tuple[Rule, ...]:
    """Replace the rule with this id in place."""
    position = _index(rules, rule_id)
    return (*rules[:position], rule, *rules[position + 1 :])


def move_rule(rules: Sequence[Rule], rule_id: str, offset: int) -> tuple[Rule, ...]:
    """Move a rule up (negative offset) or down, clamped to the list."""
    position = _index(rules, rule_id)
    target = max(0, min(len(rules) - 1, position + offset))
    moved = list(rules)
    rule = moved.pop(position)
    moved.insert(target, rule)
    return tuple(moved)


def set_enabled(rules: Sequence[Rule], rule_id: str, enabled: bool) -> tuple[Rule, ...]:
    """Enable or disable a rule."""
    rule = rules[_index(rules, rule_id)]
    return replace_rule(rules, rule_id, _with_enabled(rule, enabled))


def delete_rule(rules: Sequence[Rule], rule_id: str) -> tuple[Rule, ...]:
    """Remove a rule."""
    position = _index(rules, rule_id)
    return (*rules[:position], *rules[position + 1 :])


def _with_enabled(rule: Rule, enabled: bool) -> Rule:
    return replace(rule, enabled=enabled)


# --- The administrator's rule form --------------------------------------------------------

OUTSIDE_CHOICE = "outside"


@dataclass(frozen=True)
class RawRule:
    """What an administrator typed into the rule form, as text."""

    id: str = ""
    team: str = ""
    municipalities: tuple[str, ...] = ()  # codes, and OUTSIDE_CHOICE for outside / unknown
    needs: tuple[str, ...] = ()
    min_affected: str = ""
    key_account: str = ""  # "" any, "yes", "no"
    languages: tuple[str, ...] = ()
    enabled: bool = True


class InvalidRuleInput(FieldErrors):
    """Some fields of the rule form are invalid; errors maps field name to an error code."""


def parse_rule_input(raw: RawRule) -> Rule:
    """Turn the form into a rule, or raise InvalidRuleInput (codes: required, invalid)."""
    errors: dict[str, str] = {}
    rule_id = raw.id.strip().lower()
    if not rule_id:
        errors["id"] = "required"
    elif not RULE_ID.match(rule_id):
        errors["id"] = "invalid"
    team = raw.team.strip()
    if not team:
        errors["team"] = "required"
    minimum: int | None = None
    text = raw.min_affected.strip()
    if text:
        if not text.isdigit() or int(text) > MAX_AFFECTED:
            errors["min_affected"] = "invalid"
        else:
            minimum = int(text)
    key_account = {"": None, "yes": True, "no": False}.get(raw.key_account.strip())
    if raw.key_account.strip() not in ("", "yes", "no"):
        errors["key_account"] = "invalid"
    if errors:
        raise InvalidRuleInput(errors)
    codes = {c.strip() for c in raw.municipalities if c.strip()}
    return Rule(
        id=rule_id,
        team=team,
        municipalities=frozenset(codes - {OUTSIDE_CHOICE}),
        outside_region=OUTSIDE_CHOICE in codes,
        needs=frozenset(n.strip() for n in raw.needs if n.strip()),
        min_affected=minimum,
        key_account=key_account,
        languages=frozenset(lang.strip() for lang in raw.languages if lang.strip()),
        enabled=raw.enabled,
    )


# --- Dry run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """Cases that would go from one team to another under the draft."""

    from_team: str
    to_team: str
    count: int
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class DryRunOutcome:
    """How many of the requests the draft would send elsewhere, and where."""

    total: int
    moved: int
    moves: tuple[Move, ...] = field(default_factory=tuple)


def compare(
    requests: Iterable[tuple[str, RoutingRequest]],
    current: Sequence[Rule],
    draft: Sequence[Rule],
    *,
    keep_keys: int = 20,
) -> DryRunOutcome:
    """Route each (key, request) under both rule sets; count the ones whose team changes."""
    total = 0
    moves: dict[tuple[str, str], list[str]] = {}
    for key, request in requests:
        total += 1
        before = first_match(current, request).team
        after = first_match(draft, request).team
        if before != after:
            moves.setdefault((before, after), []).append(key)
    ordered = sorted(moves.items(), key=lambda item: (-len(item[1]), item[0]))
    return DryRunOutcome(
        total=total,
        moved=sum(len(keys) for keys in moves.values()),
        moves=tuple(
            Move(before, after, len(keys), tuple(keys[:keep_keys]))
            for (before, after), keys in ordered
        ),
    )
