"""First version of routing: the default rules of DOMAIN.md, first match wins.

Each decision carries the rule that fired and a sentence in the employer's language,
so the employer (and the adviser) can read why the case went where it went.
"""

from dataclasses import dataclass

from desk.domain.languages import normalise_language
from desk.domain.reference_data import ReferenceData

CHANGE_SECURITY_THRESHOLD = 10


@dataclass(frozen=True)
class RoutingRequest:
    """What routing looks at."""

    need: str
    municipality_code: str | None  # None: outside the ten, or unknown
    municipality_text: str = ""  # what the employer typed, for the explanation
    affected_employees: int | None = None


@dataclass(frozen=True)
class RoutingDecision:
    """Where a case goes and why."""

    team: str
    authority: str
    rule: str
    reason: str


# Reason sentences per rule and language. {authority}, {team}, {municipality}, {code}, {count}.
_REASONS: dict[str, dict[str, str]] = {
    "international": {
        "fi": "Ohjattu: {authority}, {team}, koska kansainvälinen rekrytointi hoidetaan koko "
        "seudun yhteisessä asiantuntijatiimissä.",
        "sv": "Styrt till {authority}, {team}, eftersom internationell rekrytering sköts av "
        "regionens gemensamma specialistteam.",
        "en": "Routed to {authority}, {team}, because international recruitment is handled by "
        "the specialist team shared by the whole region.",
    },
    "change-security-large": {
        "fi": "Ohjattu: {authority}, {team}, koska muutos koskee {count} työntekijää "
        "(vähintään 10), ja sitä hoitaa seudullinen muutosturvatiimi.",
        "sv": "Styrt till {authority}, {team}, eftersom förändringen gäller {count} anställda "
        "(10 eller fler), vilket sköts av det regionala teamet för omställningsskydd.",
        "en": "Routed to {authority}, {team}, because the change affects {count} employees "
        "(10 or more), which the regional change security team handles.",
    },
    "outside-region": {
        "fi": "Ohjattu: {authority}, {team}, koska työpaikan kunta ({municipality}) ei ole "
        "Päijät-Hämeen kymmenen kunnan joukossa tai sitä ei tunnistettu; vastaanottotiimi "
        "ohjaa asiasi oikeaan paikkaan.",
        "sv": "Styrt till {authority}, {team}, eftersom arbetsplatsens kommun ({municipality}) "
        "inte hör till Päijänne-Tavastlands tio kommuner eller inte kändes igen; "
        "mottagningsteamet hänvisar ärendet rätt.",
        "en": "Routed to {authority}, {team}, because the workplace municipality "
        "({municipality}) is not one of the ten municipalities of Päijät-Häme or was not "
        "recognised; the intake team will refer your request to the right office.",
    },
    "lahti": {
        "fi": "Ohjattu: {authority}, {team}, koska työpaikan kunta on {municipality} ({code}).",
        "sv": "Styrt till {authority}, {team}, eftersom arbetsplatsen ligger i {municipality} "
        "({code}).",
        "en": "Routed to {authority}, {team}, because the workplace is in {municipality} ({code}).",
    },
}
_REASONS["paijat-hame"] = _REASONS["lahti"]

_UNKNOWN = {"fi": "ei ilmoitettu", "sv": "inte angiven", "en": "not given"}


def _target(request: RoutingRequest, reference: ReferenceData) -> tuple[str, str]:
    """Return (rule id, team slug): the default rules in order, first match wins."""
    if request.need == "international":
        return "international", "regional-international"
    if (
        request.need == "change-security"
        and request.affected_employees is not None
        and request.affected_employees >= CHANGE_SECURITY_THRESHOLD
    ):
        return "change-security-large", "regional-change-security"
    municipality = reference.municipalities.get(request.municipality_code or "")
    if municipality is None:
        return "outside-region", "regional-intake"
    if municipality.authority == "lahti":
        return "lahti", "lahti-employer-services"
    return "paijat-hame", "paijat-hame-employer-services"


def route(request: RoutingRequest, reference: ReferenceData, language: str) -> RoutingDecision:
    """Route a request by the default rules and explain the decision in language."""
    if request.need not in reference.needs:
        raise ValueError(f"unknown need {request.need!r}")
    language = normalise_language(language)
    rule, team_slug = _target(request, reference)
    team = reference.teams[team_slug]
    authority = reference.authorities[team.authority]
    municipality = reference.municipalities.get(request.municipality_code or "")
    reason = _REASONS[rule][language].format(
        authority=authority.names[language],
        team=team.names[language],
        municipality=(
            municipality.name(language)
            if municipality
            else (request.municipality_text.strip() or _UNKNOWN[language])
        ),
        code=municipality.code if municipality else "",
        count=request.affected_employees or 0,
    )
    return RoutingDecision(team=team.slug, authority=authority.slug, rule=rule, reason=reason)
