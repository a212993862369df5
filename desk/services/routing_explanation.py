"""Where a request would go and why, without creating a case (the public routing question)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.languages import normalise_language
from desk.services.reference_data import snapshot
from desk.services.routing import RoutedRequest, route_request


class InvalidRoutingQuestion(FieldErrors):
    """Some inputs are invalid; errors maps the input name to an error code."""


@dataclass(frozen=True)
class RoutingExplanation:
    """The decision, and the names of its team and authority in the asked language."""

    routed: RoutedRequest
    team_name: str
    authority_name: str


def explain(
    session: Session,
    municipality: str,
    need: str,
    affected_employees: int | None = None,
    language: str = "fi",
    names_language: str | None = None,
) -> RoutingExplanation:
    """Route a request by the published rules; nothing is stored.

    The reason is in `language` (the employer's, a routing condition); the team and authority
    names in `names_language` (the reader's; `language` when not given).

    The employer's Business ID is not asked: whether an employer has a key-account adviser
    is not public, so the answer is the one for an employer without one.
    """
    reference = snapshot(session)
    errors: dict[str, str] = {}
    if not municipality.strip():
        errors["municipality"] = "required"
    if need not in reference.needs:
        errors["need"] = "unknown" if need.strip() else "required"
    if errors:
        session.rollback()
        raise InvalidRoutingQuestion(errors)
    routed = route_request(
        session,
        municipality_text=municipality,
        need=need,
        affected_employees=affected_employees,
        language=language,
        reference=reference,
    )
    session.rollback()  # read only
    decision = routed.decision
    names = normalise_language(names_language or language)
    return RoutingExplanation(
        routed,
        reference.teams[decision.team].names[names],
        reference.authorities[decision.authority].names[names],
    )
