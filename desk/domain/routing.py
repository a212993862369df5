"""The routing engine: an ordered list of rules (data) sends a request to a team.

Rules are evaluated in order and the first enabled rule whose conditions all hold wins.
Every decision carries the id of the rule that fired and a sentence in the employer's
language naming what decided it (the municipality, the need, the number of employees...),
so the employer and the adviser can read why the case went where it went.

Rules come from config/routing.toml and are then edited by administrators; this module only
evaluates and explains them (validation and editing live in desk.domain.routing_rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from desk.domain.languages import ENDONYMS, N_, Catalogue, normalise_language
from desk.domain.reference_data import ReferenceData


@dataclass(frozen=True)
class Rule:
    """Conditions -> target team. An empty condition matches anything.

    municipalities: Statistics Finland codes; outside_region: also (or only) matches a workplace
    outside the ten municipalities or not recognised. needs: need codes. min_affected: the
    request names at least this many affected employees. key_account: True when the employer
    must have a named key-account adviser, False when it must not. languages: the case's
    language.
    """

    id: str
    team: str
    municipalities: frozenset[str] = frozenset()
    outside_region: bool = False
    needs: frozenset[str] = frozenset()
    min_affected: int | None = None
    key_account: bool | None = None
    languages: frozenset[str] = frozenset()
    enabled: bool = True

    @property
    def is_catch_all(self) -> bool:
        """True when the rule has no condition at all (it matches every request)."""
        return (
            not self.municipalities
            and not self.outside_region
            and not self.needs
            and self.min_affected is None
            and self.key_account is None
            and not self.languages
        )

    @property
    def has_municipality_condition(self) -> bool:
        """True when the rule looks at the workplace municipality."""
        return bool(self.municipalities) or self.outside_region

    def matches(self, request: RoutingRequest) -> bool:
        """True when the rule is enabled and every one of its conditions holds."""
        if not self.enabled:
            return False
        if self.needs and request.need not in self.needs:
            return False
        if self.municipalities or self.outside_region:
            code = request.municipality_code
            if code is None:
                if not self.outside_region:
                    return False
            elif code not in self.municipalities:
                return False
        if self.min_affected is not None and (
            request.affected_employees is None or request.affected_employees < self.min_affected
        ):
            return False
        if self.key_account is not None and request.has_key_account is not self.key_account:
            return False
        return not self.languages or request.language in self.languages


@dataclass(frozen=True)
class RoutingRequest:
    """What routing looks at."""

    need: str
    municipality_code: str | None  # None: outside the ten, or unknown
    municipality_text: str = ""  # what the employer typed, for the explanation
    affected_employees: int | None = None
    has_key_account: bool = False
    language: str = "fi"  # the employer's language: a condition, and the reason's language


@dataclass(frozen=True)
class RoutingDecision:
    """Where a case goes and why."""

    team: str
    authority: str
    rule: str
    reason: str


class NoRuleMatched(LookupError):
    """No enabled rule matched: the rule set has no catch-all (validation prevents this)."""


def first_match(rules: Iterable[Rule], request: RoutingRequest) -> Rule:
    """The first enabled rule whose conditions hold, or NoRuleMatched."""
    for rule in rules:
        if rule.matches(request):
            return rule
    raise NoRuleMatched(f"no routing rule matches need {request.need!r}")


def route(
    request: RoutingRequest, rules: Sequence[Rule], reference: ReferenceData, catalogue: Catalogue
) -> RoutingDecision:
    """Route a request by the rules (first match wins) and explain it in its language."""
    if request.need not in reference.needs:
        raise ValueError(f"unknown need {request.need!r}")
    if request.municipality_code is not None and (
        request.municipality_code not in reference.municipalities
    ):
        # Only the ten are known; any other code is "outside the ten / unknown".
        request = _replace_code(request, None)
    language = normalise_language(request.language)
    if language != request.language:
        request = _replace_language(request, language)
    rule = first_match(rules, request)
    team = reference.teams.get(rule.team)
    if team is None:
        raise NoRuleMatched(f"rule {rule.id!r} names unknown team {rule.team!r}")
    authority = reference.authorities[team.authority]
    return RoutingDecision(
        team=team.slug,
        authority=authority.slug,
        rule=rule.id,
        reason=explain(rule, request, reference, catalogue),
    )


def _replace_code(request: RoutingRequest, code: str | None) -> RoutingRequest:
    return RoutingRequest(
        request.need,
        code,
        request.municipality_text,
        request.affected_employees,
        request.has_key_account,
        request.language,
    )


def _replace_language(request: RoutingRequest, language: str) -> RoutingRequest:
    return RoutingRequest(
        request.need,
        request.municipality_code,
        request.municipality_text,
        request.affected_employees,
        request.has_key_account,
        language,
    )


# --- Explanations ---------------------------------------------------------------------------
# One sentence: "Routed to {authority}, {team}, because <clauses>." The clauses name the
# conditions of the rule that fired, in a fixed order, joined with "and". The wording is the
# catalogue's (gettext messages with named placeholders, translated in desk/translations like
# every other text of the desk); the domain only chooses and fills the messages.

_SENTENCE = N_("Routed to %(authority)s, %(team)s, because %(reasons)s.")
_AND = N_("%(reasons)s and %(reason)s")
_NEED = N_("the request concerns %(need)s")
_AFFECTED = N_("the change affects %(count)s employees (%(minimum)s or more)")
_MUNICIPALITY = N_("the workplace is in %(municipality)s (%(code)s)")
_OUTSIDE = N_(
    "the workplace municipality (%(municipality)s) is not one of the ten municipalities of "
    "Päijät-Häme or was not recognised"
)
_REFERRAL = N_("%(reasons)s; the team will refer your request to the right office if needed")
_KEY_ACCOUNT = {
    True: N_("your organisation has a named key-account adviser"),
    False: N_("your organisation has no named key-account adviser"),
}
_LANGUAGE = N_("the request is in %(language)s")
_CATCH_ALL = N_(
    "no more specific rule applied (need: %(need)s; workplace municipality: %(municipality)s)"
)
_TRANSFER = N_("Transferred to %(authority)s, %(team)s. Reason: %(note)s")
_UNKNOWN = N_("not given")
# Every message above: the catalogue must translate each of them into every language.
MESSAGES: Final = (
    _SENTENCE,
    _AND,
    _NEED,
    _AFFECTED,
    _MUNICIPALITY,
    _OUTSIDE,
    _REFERRAL,
    *_KEY_ACCOUNT.values(),
    _LANGUAGE,
    _CATCH_ALL,
    _TRANSFER,
    _UNKNOWN,
)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def explain(
    rule: Rule,
    request: RoutingRequest,
    reference: ReferenceData,
    catalogue: Catalogue,
    language: str | None = None,
) -> str:
    """The sentence telling why the rule sent the request to its team.

    In `language` (a reader's) when given, else in the request's own language.
    """
    language = normalise_language(language or request.language)
    translate = catalogue(language)
    team = reference.teams[rule.team]
    authority = reference.authorities[team.authority]
    need_name = _lower_first(reference.needs[request.need].names[language])
    municipality = reference.municipalities.get(request.municipality_code or "")
    if municipality is not None:
        place = municipality.name(language)
    else:
        place = request.municipality_text.strip() or translate(_UNKNOWN)

    clauses: list[str] = []
    if rule.needs:
        clauses.append(translate(_NEED, need=need_name))
    if rule.min_affected is not None:
        clauses.append(
            translate(_AFFECTED, count=request.affected_employees or 0, minimum=rule.min_affected)
        )
    outside = False
    if rule.has_municipality_condition:
        if municipality is not None:
            clauses.append(translate(_MUNICIPALITY, municipality=place, code=municipality.code))
        else:
            clauses.append(translate(_OUTSIDE, municipality=place))
            outside = True
    if rule.key_account is not None:
        clauses.append(translate(_KEY_ACCOUNT[rule.key_account]))
    if rule.languages:
        clauses.append(
            translate(_LANGUAGE, language=ENDONYMS[normalise_language(request.language)])
        )
    if not clauses:
        label = f"{place} ({municipality.code})" if municipality is not None else place
        clauses.append(translate(_CATCH_ALL, need=need_name, municipality=label))
        outside = municipality is None

    reasons = clauses[0]
    for clause in clauses[1:]:
        reasons = translate(_AND, reasons=reasons, reason=clause)
    if outside:
        reasons = translate(_REFERRAL, reasons=reasons)
    return translate(
        _SENTENCE,
        authority=authority.names[language],
        team=team.names[language],
        reasons=reasons,
    )


def transfer_reason(
    team_slug: str, note: str, reference: ReferenceData, language: str, catalogue: Catalogue
) -> str:
    """The sentence stored on a transferred case: where it went and the adviser's reason."""
    language = normalise_language(language)
    team = reference.teams[team_slug]
    authority = reference.authorities[team.authority]
    return catalogue(language)(
        _TRANSFER,
        authority=authority.names[language],
        team=team.names[language],
        note=note.strip(),
    )
