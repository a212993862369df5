"""Why a case is where it is, in the reader's language.

The case stores `routing_reason`, a sentence in the employer's language, for the employer and
for the record. A staff member or an API client reads the same facts in their own language:
the sentence is made again by the domain function that wrote it, from the rule that fired
(its published rule-set version is in the `routed` event) and the case's own facts (need,
municipality, affected employees), or, for a transfer, from the `transferred` event's target
team and the adviser's free-text reason. Older rows without those facts keep their sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.languages import normalise_language
from desk.domain.reference_data import ReferenceData
from desk.domain.routing import RoutingRequest, Rule, explain, transfer_reason
from desk.domain.routing_rules import rules_from_dicts
from desk.i18n import catalogue
from desk.models import Case, CaseEvent, RoutingRuleSetVersion
from desk.services.reference_data import snapshot

TRANSFER_RULE = "transfer"


@dataclass(frozen=True)
class RoutingText:
    """The reason sentence in the reader's language, and the rule that fired (None: a transfer
    or a rule no longer on record)."""

    reason: str
    rule: Rule | None
    transferred: bool


def _last_event(case: Case, kind: str) -> CaseEvent | None:
    found = [e for e in case.events if e.kind == kind]
    return max(found, key=lambda e: (e.created_at, e.id or 0)) if found else None


def _rule(session: Session, version: object, rule_id: str) -> Rule | None:
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    rules = session.scalar(
        select(RoutingRuleSetVersion.rules).where(RoutingRuleSetVersion.number == version)
    )
    for rule in rules_from_dicts(rules or []):
        if rule.id == rule_id:
            return rule
    return None


def routing_text(
    session: Session, case: Case, language: str, reference: ReferenceData | None = None
) -> RoutingText:
    """The case's routing reason in `language`, falling back to the stored sentence."""
    language = normalise_language(language)
    if case.routing_rule == TRANSFER_RULE:
        event = _last_event(case, "transferred")
        data = event.data if event is not None else {}
        reference = reference or snapshot(session)
        team, note = data.get("to_team"), data.get("reason")
        if isinstance(team, str) and team in reference.teams and isinstance(note, str):
            return RoutingText(
                transfer_reason(team, note, reference, language, catalogue), None, True
            )
        return RoutingText(case.routing_reason, None, True)
    event = _last_event(case, "routed")
    rule = _rule(session, event.data.get("rule_version"), case.routing_rule) if event else None
    if rule is None:
        return RoutingText(case.routing_reason, None, False)
    reference = reference or snapshot(session)
    if rule.team not in reference.teams or case.need_code not in reference.needs:
        return RoutingText(case.routing_reason, rule, False)
    request = RoutingRequest(
        need=case.need_code,
        municipality_code=case.municipality_code,
        municipality_text=case.municipality_text,
        affected_employees=case.affected_employees,
        # The rule fired, so its key-account condition (if any) held.
        has_key_account=bool(rule.key_account),
        language=case.language,  # a condition the rule may name: the employer's language
    )
    return RoutingText(explain(rule, request, reference, catalogue, language), rule, False)
