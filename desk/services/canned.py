"""Canned responses: kept per team by its authority's managers and administrators, inserted
by the case's team into a reply in the case's language, placeholders filled in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.canned import (
    LANGUAGES,
    CannedDraft,
    CaseFacts,
    choose_language,
    placeholder_values,
    render,
    validate_canned,
)
from desk.models import CannedResponse, Case, CaseSlaTarget, Team, utcnow
from desk.services.access import Actor, can_keep_canned, can_view, can_work, require_staff
from desk.services.errors import Forbidden, NotFound

# A team keeps a handful of answers; the lists stop here rather than grow without end.
MAX_PER_TEAM = 200


class InvalidCanned(ValueError):
    """What was typed does not make a canned response: field -> code, and unknown names."""

    def __init__(self, errors: dict[str, str], unknown: dict[str, list[str]]) -> None:
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors
        self.unknown = unknown


def all_teams(session: Session) -> list[Team]:
    """Every team, by slug (a few dozen at most), for the list of teams one keeps."""
    return list(session.scalars(select(Team).order_by(Team.slug)))


def team_for_keeping(session: Session, actor: Actor, team_slug: str) -> Team:
    """The team whose canned responses the actor keeps; NotFound / Forbidden otherwise."""
    require_staff(actor)
    team = session.scalar(select(Team).where(Team.slug == team_slug))
    if team is None:
        raise NotFound(team_slug)
    if not can_keep_canned(actor, team):
        raise Forbidden("only administrators and the team's managers keep its canned responses")
    return team


def team_responses(
    session: Session, actor: Actor, team_slug: str
) -> tuple[Team, list[CannedResponse]]:
    """A team's canned responses, active first, by Finnish title (for those who keep them)."""
    team = team_for_keeping(session, actor, team_slug)
    stmt = (
        select(CannedResponse)
        .where(CannedResponse.team_id == team.id)
        .order_by(CannedResponse.active.desc(), CannedResponse.title_fi, CannedResponse.id)
        .limit(MAX_PER_TEAM)
    )
    return team, list(session.scalars(stmt))


def get_for_keeping(
    session: Session, actor: Actor, team_slug: str, canned_id: int
) -> CannedResponse:
    """One of the team's canned responses, for editing."""
    team = team_for_keeping(session, actor, team_slug)
    row = session.get(CannedResponse, canned_id)
    if row is None or row.team_id != team.id:
        raise NotFound(str(canned_id))
    return row


def _draft(values: Mapping[str, str]) -> CannedDraft:
    return CannedDraft(
        titles={lang: values.get(f"title_{lang}", "").strip() for lang in LANGUAGES},
        bodies={lang: values.get(f"body_{lang}", "").strip() for lang in LANGUAGES},
    )


def save(
    session: Session,
    actor: Actor,
    team_slug: str,
    values: Mapping[str, str],
    canned_id: int | None = None,
) -> CannedResponse:
    """Create (canned_id None) or change a canned response; InvalidCanned for bad input."""
    if canned_id is None:
        team = team_for_keeping(session, actor, team_slug)
        row = CannedResponse(team_id=team.id, created_at=utcnow(), active=True)
    else:
        row = get_for_keeping(session, actor, team_slug, canned_id)
    draft = _draft(values)
    errors, unknown = validate_canned(draft)
    if errors:
        raise InvalidCanned(errors, unknown)
    for lang in LANGUAGES:
        setattr(row, f"title_{lang}", draft.titles[lang])
        setattr(row, f"body_{lang}", draft.bodies[lang])
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    session.add(row)
    session.commit()
    return row


def set_active(
    session: Session, actor: Actor, team_slug: str, canned_id: int, active: bool
) -> CannedResponse:
    """Take a canned response out of use (or back into it); it is kept, never deleted."""
    row = get_for_keeping(session, actor, team_slug, canned_id)
    row.active = active
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    session.commit()
    return row


# --- on the case page -----------------------------------------------------------------------


def options_for_case(session: Session, actor: Actor, case: Case) -> list[CannedResponse]:
    """The active canned responses of the case's team, for whoever may reply in the case."""
    if not can_work(actor, case):
        return []
    stmt = (
        select(CannedResponse)
        .where(CannedResponse.team_id == case.team_id, CannedResponse.active.is_(True))
        .order_by(CannedResponse.title_fi, CannedResponse.id)
        .limit(MAX_PER_TEAM)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Inserted:
    """A canned response rendered for one case."""

    canned_id: int
    title: str
    text: str
    language: str  # the language of the text
    fell_back: bool  # the team has no text in the case's language: Finnish was used
    values: dict[str, str] = field(default_factory=dict)


def _facts(session: Session, actor: Actor, case: Case) -> CaseFacts:
    rows: Sequence[CaseSlaTarget] = list(
        session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    )
    due = {row.target: row.due_at for row in rows}
    return CaseFacts(
        employer_name=case.organisation_name,
        contact_name=case.contact_name,
        reference=case.reference,
        # The adviser who writes the reply signs it.
        adviser_name=actor.user.name if actor.user is not None else "",
        expected_first_response=due.get("first_response"),
        expected_resolution=due.get("resolution"),
    )


def render_for_case(session: Session, actor: Actor, case_id: int, canned_id: int) -> Inserted:
    """The canned response in the case's language (else Finnish), placeholders filled.

    NotFound unless the actor may view the case and the response is an active one of the
    case's team; Forbidden unless the actor may reply in the case.
    """
    case = session.get(Case, case_id)
    if case is None or not can_view(actor, case):
        raise NotFound(str(case_id))
    if not can_work(actor, case):
        raise Forbidden("only members of the case's team may reply")
    row = session.get(CannedResponse, canned_id)
    if row is None or row.team_id != case.team_id or not row.active:
        raise NotFound(str(canned_id))
    language, fell_back = choose_language(row.bodies(), case.language)
    values = placeholder_values(_facts(session, actor, case), language)
    return Inserted(
        canned_id=row.id,
        title=row.title(language),
        text=render(row.bodies()[language], values),
        language=language,
        fell_back=fell_back,
        values=values,
    )
