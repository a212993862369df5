"""Who is acting and what they may see and do: the one policy module for web, API and CLI.

Every service that acts takes an `Actor`: a staff member, an employer contact or the system
itself, with the channel it came through and the client's address. The predicates below are
the only place that reads roles, teams and authorities to decide access; services call them
and raise `Forbidden`, views and API handlers call them to decide what to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.models import Attachment, Case, CaseCollaborator, CaseFollower, Team, User
from desk.services.errors import Forbidden, NotFound


class Role(StrEnum):
    """A staff member's role (stored in users.role)."""

    ADVISER = "adviser"
    MANAGER = "manager"
    ADMIN = "admin"


STAFF_ROLES: frozenset[Role] = frozenset(Role)


class ActorKind(StrEnum):
    """Who is behind an action (stored in case_events.actor_kind)."""

    STAFF = "staff"
    EMPLOYER = "employer"
    SYSTEM = "system"


class Channel(StrEnum):
    """How an action reached the desk (stored in case_events.channel)."""

    WEB = "web"
    API = "api"
    CLI = "cli"
    WORKER = "worker"
    EMAIL = "email"


@dataclass(frozen=True)
class Actor:
    """The person or process acting, the channel it came through, and the client's address."""

    kind: ActorKind
    channel: Channel
    user: User | None = None
    client: str | None = None

    @classmethod
    def staff(cls, user: User, channel: Channel, client: str | None = None) -> Actor:
        """A signed-in staff member (web session or API token)."""
        return cls(ActorKind.STAFF, channel, user, client)

    @classmethod
    def employer(cls, channel: Channel, client: str | None = None) -> Actor:
        """An employer contact (the public form, their private case link, the public API)."""
        return cls(ActorKind.EMPLOYER, channel, None, client)

    @classmethod
    def system(cls, channel: Channel = Channel.WORKER) -> Actor:
        """The desk itself: routing, automatic assignment, the SLA sweep, commands."""
        return cls(ActorKind.SYSTEM, channel)

    @property
    def user_id(self) -> int | None:
        """The staff member's id, or None for employers and the system."""
        return self.user.id if self.user is not None else None

    @property
    def role(self) -> Role | None:
        """The staff member's role, or None when no staff member is acting."""
        return role_of(self.user) if self.user is not None else None


def role_of(user: User) -> Role | None:
    """The user's role, or None for a value no release knows."""
    try:
        return Role(user.role)
    except ValueError:
        return None


def _team_ids(user: User) -> set[int]:
    return {team.id for team in user.teams}


# --- people -----------------------------------------------------------------------------


def is_staff(actor: Actor) -> bool:
    """A signed-in staff member of any role."""
    return actor.user is not None and actor.user.active and actor.role in STAFF_ROLES


def is_admin(actor: Actor) -> bool:
    """An administrator: reference data, routing, SLA settings, tokens, webhooks, deliveries."""
    return is_staff(actor) and actor.role is Role.ADMIN


def require_admin(actor: Actor, what: str = "this") -> User:
    """The acting administrator; Forbidden for anyone else."""
    if not is_admin(actor) or actor.user is None:
        raise Forbidden(f"only administrators may do {what}")
    return actor.user


def require_staff(actor: Actor) -> User:
    """The acting staff member; Forbidden for employers and the system."""
    if not is_staff(actor) or actor.user is None:
        raise Forbidden("only staff may do this")
    return actor.user


def may_set_absence(actor: Actor, user_id: int) -> bool:
    """Staff mark themselves absent or present; administrators anyone."""
    return is_admin(actor) or (is_staff(actor) and actor.user_id == user_id)


# --- cases ------------------------------------------------------------------------------


def _user_can_view(user: User, case: Case) -> bool:
    role = role_of(user)
    if role is Role.ADMIN:
        return True
    if role is Role.MANAGER and case.authority_slug == user.authority_slug:
        return True
    teams = _team_ids(user)
    if case.team_id in teams:
        return True
    if any(follower.user_id == user.id for follower in case.followers):
        return True
    return any(collaborator.team_id in teams for collaborator in case.collaborators)


def can_view(actor: Actor, case: Case) -> bool:
    """Admins see all; managers their authority's cases and their teams'; advisers their teams'.

    Followers (a key-account adviser whose employer's case another team handles) and members
    of a collaborating team (another authority's employer services) may read the case too.
    """
    return is_staff(actor) and actor.user is not None and _user_can_view(actor.user, case)


def may_download(actor: Actor, case: Case, attachment: Attachment) -> bool:
    """Whether the actor may download an attachment of this case.

    Only an attachment of the case itself (another case's id is not found). Staff who may view
    the case get all of them; an employer, whose right to the case the caller has established
    (the case's private link, later the portal's grant), those of the request and of the public
    messages, never one of an internal note.
    """
    if attachment.case_id != case.id:
        return False
    if actor.kind is ActorKind.STAFF:
        return can_view(actor, case)
    if actor.kind is ActorKind.EMPLOYER:
        return attachment.message is None or attachment.message.visibility == "public"
    return False


def visible_cases_condition(actor: Actor) -> ColumnElement[bool]:
    """The cases the actor may view (can_view), as SQL: for queues, search and the employer view.

    Kept beside can_view so the two read the same: a list never shows a case whose page
    would answer 404 (tests/services/test_access_sql.py checks them against each other).
    """
    user = require_staff(actor)
    role = role_of(user)
    if role is Role.ADMIN:
        return true()
    teams = sorted(_team_ids(user))
    followed = select(CaseFollower.case_id).where(CaseFollower.user_id == user.id)
    conditions: list[ColumnElement[bool]] = [Case.id.in_(followed)]
    if teams:
        helping = select(CaseCollaborator.case_id).where(CaseCollaborator.team_id.in_(teams))
        conditions += [Case.team_id.in_(teams), Case.id.in_(helping)]
    if role is Role.MANAGER:
        conditions.append(Case.authority_slug == user.authority_slug)
    return or_(*conditions)


def may_handle(user: User, case: Case) -> bool:
    """Whether a person may work on (and so be assigned) the case: its team's members, admins."""
    return user.active and (role_of(user) is Role.ADMIN or case.team_id in _team_ids(user))


def can_work(actor: Actor, case: Case) -> bool:
    """Claiming, replying, assigning, transfers and status changes: the case's team (and admins)."""
    return is_staff(actor) and actor.user is not None and may_handle(actor.user, case)


def can_note(actor: Actor, case: Case) -> bool:
    """Internal notes: whoever may work on the case, and members of a collaborating team."""
    if can_work(actor, case):
        return True
    if not is_staff(actor) or actor.user is None:
        return False
    teams = _team_ids(actor.user)
    return any(collaborator.team_id in teams for collaborator in case.collaborators)


def case_for(
    session: Session,
    actor: Actor,
    case_id: int,
    allowed: Callable[[Actor, Case], bool] = can_work,
    what: str = "do this",
) -> Case:
    """The case if the actor may see it (else NotFound: its existence is not revealed) and
    may act on it as `allowed` says (else Forbidden)."""
    case = session.get(Case, case_id)
    if case is None or not can_view(actor, case):
        raise NotFound(str(case_id))
    if not allowed(actor, case):
        raise Forbidden(f"only members of the case's team may {what}")
    return case


def queue_team_ids(actor: Actor) -> set[int] | None:
    """Teams whose cases make up the actor's work queue; None means every team (admins)."""
    user = require_staff(actor)
    return None if role_of(user) is Role.ADMIN else _team_ids(user)


def can_list_authority(actor: Actor) -> bool:
    """The queue of every open case of the actor's authority: managers and admins (an
    adviser's queues are their teams'; every case listed is one can_view allows a manager)."""
    return is_staff(actor) and actor.role in (Role.MANAGER, Role.ADMIN)


def can_merge(actor: Actor, duplicate: Case, target: Case) -> bool:
    """Merging a duplicate into another case: whoever may work on both (and admins)."""
    return can_work(actor, duplicate) and can_work(actor, target)


def can_link(actor: Actor, case: Case, other: Case) -> bool:
    """Linking (or unlinking) two related cases: whoever may view both."""
    return can_view(actor, case) and can_view(actor, other)


# --- canned responses ---------------------------------------------------------------------


def can_keep_canned(actor: Actor, team: Team) -> bool:
    """A team's canned responses are kept by administrators and the managers of the team's
    host authority (the desk's "team leads"); its members use them on its cases."""
    if not is_staff(actor) or actor.user is None:
        return False
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.MANAGER and team.authority_slug == actor.user.authority_slug


# --- team case lists ----------------------------------------------------------------------


def can_list_team(actor: Actor, team: Team) -> bool:
    """A team's case list: its members, managers of its authority, and admins.

    Every case the list shows is one the user may view (can_view): members see their team's
    cases, managers their authority's.
    """
    if not is_staff(actor) or actor.user is None:
        return False
    if actor.role is Role.ADMIN or team.id in _team_ids(actor.user):
        return True
    return actor.role is Role.MANAGER and team.authority_slug == actor.user.authority_slug


def team_list_authority(actor: Actor, team: Team) -> str | None:
    """The authority a team list is narrowed to (a manager outside the team sees only their
    authority's cases, as can_view decides), or None for the whole list."""
    user = require_staff(actor)
    if actor.role is Role.MANAGER and team.id not in _team_ids(user):
        return user.authority_slug
    return None


# --- reports ------------------------------------------------------------------------------


def can_read_reports(actor: Actor) -> bool:
    """The SLA report: managers and admins, and the desk itself (the operator's CLI).

    A manager reads the whole aggregate, both authorities: the steering group compares them,
    and the report holds counts and times, no case data. Advisers may not (yet): the report
    is a management figure, and their own team's queue already shows them their cases.
    """
    if actor.kind is ActorKind.SYSTEM:
        return True
    return is_staff(actor) and actor.role in (Role.MANAGER, Role.ADMIN)


def require_report_reader(actor: Actor) -> None:
    """Forbidden unless the actor may read reports (can_read_reports)."""
    if not can_read_reports(actor):
        raise Forbidden("only managers and administrators may read reports")


def can_read_team_reports(actor: Actor) -> bool:
    """The dashboard: report readers, and advisers for their own teams' figures only."""
    if can_read_reports(actor):
        return True
    return is_staff(actor) and actor.user is not None and bool(actor.user.teams)


def report_team_ids(actor: Actor) -> set[int] | None:
    """The teams whose figures the actor may read: None for every team (can_read_reports),
    an adviser's own teams; Forbidden for anyone else (the API and CLI ask can_read_reports)."""
    if can_read_reports(actor):
        return None
    if not can_read_team_reports(actor) or actor.user is None:
        raise Forbidden("only managers, administrators and team members may read reports")
    return {team.id for team in actor.user.teams}


def report_case_rows_condition(actor: Actor) -> ColumnElement[bool]:
    """Which cases' rows (behind the report's figures) the actor may export, as SQL.

    Admins and the desk itself: every case. A manager: the cases of their own authority's
    teams, and the regional teams' cases whose case authority is theirs (a regional team is
    hosted by one authority but serves the employers of both). Forbidden for anyone else.
    """
    require_report_reader(actor)
    if actor.kind is ActorKind.SYSTEM or is_admin(actor) or actor.user is None:
        return true()
    mine = actor.user.authority_slug
    own_teams = select(Team.id).where(Team.authority_slug == mine, Team.regional.is_(False))
    regional_teams = select(Team.id).where(Team.regional.is_(True))
    return or_(
        Case.team_id.in_(own_teams),
        and_(Case.team_id.in_(regional_teams), Case.authority_slug == mine),
    )


# --- the employer portal --------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerPrincipal:
    """Who is looking through the employer portal, as read from the database on this request.

    contact_id: the signed-in, verified contact (None without an account); organisation_id
    and is_org_admin only while the contact is still one of the organisation's contacts (a
    removed contact has neither, and no account rights at all). grants: cases opened by their
    private link in this browser session.
    """

    contact_id: int | None = None
    organisation_id: int | None = None
    is_org_admin: bool = False
    grants: frozenset[int] = frozenset()

    @property
    def signed_in(self) -> bool:
        """A verified contact (not only holder of some case links)."""
        return self.contact_id is not None


def employer_can_view(principal: EmployerPrincipal, case: Case) -> bool:
    """A case the portal shows: one opened by its private link, one the contact submitted
    (linked to them by address at submission or sign-in), and all of the organisation's for
    its admin contact. Never another organisation's case."""
    if case.id in principal.grants:
        return True
    if principal.contact_id is not None and case.contact_id == principal.contact_id:
        return True
    return (
        principal.is_org_admin
        and principal.organisation_id is not None
        and case.organisation_id == principal.organisation_id
    )


def employer_cases_condition(principal: EmployerPrincipal) -> ColumnElement[bool]:
    """employer_can_view as SQL, for the portal's case list (each arm an indexed column)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.grants:
        conditions.append(Case.id.in_(sorted(principal.grants)))
    if principal.contact_id is not None:
        conditions.append(Case.contact_id == principal.contact_id)
    if principal.is_org_admin and principal.organisation_id is not None:
        conditions.append(Case.organisation_id == principal.organisation_id)
    return or_(*conditions) if conditions else false()


def employer_may_download(principal: EmployerPrincipal, case: Case, attachment: Attachment) -> bool:
    """An attachment through the portal: the case's own, of the request or a public message,
    on a case the principal may view (may_download's employer rule)."""
    return employer_can_view(principal, case) and may_download(
        Actor.employer(Channel.WEB), case, attachment
    )
