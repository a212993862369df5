"""Managing staff and teams: create, edit, deactivate, reactivate; every change recorded.

Used by the administrator pages and by `desk users ...`. The CLI acts as the system on the
CLI channel (whoever has a shell on the server is trusted); on the web only administrators.
Every change writes a `staff_changes` row (who, what, when, details; the person's history
page reads it) and an access-log entry (`staff.change`, desk.services.audit) in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from desk.domain.errors import FieldErrors
from desk.domain.intake import checked_email, required_text
from desk.domain.passwords import password_problem
from desk.models import Authority, StaffChange, Team, User
from desk.services import audit, staff_invites, users
from desk.services.access import Actor, ActorKind, Channel, Role, require_admin
from desk.services.errors import Forbidden, NotFound

STAFF_LANGUAGES = ("fi", "sv", "en")


class InvalidStaff(FieldErrors):
    """Some fields of a staff member or a team are invalid (field -> error code)."""


@dataclass(frozen=True)
class StaffInput:
    """What an administrator gives for a staff member (create or edit)."""

    email: str
    name: str
    role: str
    authority: str
    teams: Sequence[str] = ()
    languages: Sequence[str] = ("fi",)
    absent: bool = False


def _acting_admin(actor: Actor) -> User | None:
    """The administrator acting (None for the server's CLI); Forbidden for anyone else."""
    if actor.kind is ActorKind.SYSTEM and actor.channel is Channel.CLI:
        return None
    return require_admin(actor, "manage staff")


def _record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    user: User | None = None,
    team: Team | None = None,
    **details: Any,
) -> None:
    _acting_admin(actor)
    _write_change(session, actor, action, user=user, team=team, details=details)


def _write_change(
    session: Session,
    actor: Actor,
    action: str,
    *,
    user: User | None = None,
    team: Team | None = None,
    details: dict[str, Any],
) -> None:
    """The change in staff_changes (the person's history page) and in the access log, both
    in the caller's transaction: one commit stores the change and both records, or none."""
    session.flush()
    session.add(
        StaffChange(
            actor_id=actor.user_id,
            channel=str(actor.channel),
            action=action,
            user_id=user.id if user else None,
            team_id=team.id if team else None,
            details=details,
        )
    )
    target = (
        audit.Target("user", str(user.id))
        if user is not None
        else audit.Target("team", team.slug)
        if team is not None
        else audit.NOTHING
    )
    audit.record(session, actor, audit.Action.STAFF_CHANGE, target, {"change": action, **details})


def _find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def user_by_email(session: Session, email: str) -> User:
    """The staff member with this email; NotFound otherwise."""
    user = _find_user(session, email)
    if user is None:
        raise NotFound(f"no staff member with email {email}")
    return user


def _checked(session: Session, data: StaffInput, errors: dict[str, str]) -> dict[str, Any]:
    # Stored in lower case: sign-in compares addresses without case, and so must "taken".
    email = checked_email(data.email, "email", errors).lower()
    name = required_text(data.name, "name", errors, 200)
    if data.role not in set(Role):
        errors["role"] = "invalid"
    if session.get(Authority, data.authority) is None:
        errors["authority"] = "invalid"
    slugs = sorted({s.strip() for s in data.teams if s.strip()})
    teams = list(session.scalars(select(Team).where(Team.slug.in_(slugs)))) if slugs else []
    if len(teams) != len(slugs):
        errors["teams"] = "invalid"
    languages = [lang for lang in STAFF_LANGUAGES if lang in set(data.languages)]
    if not languages or len(languages) != len(set(data.languages)):
        errors["languages"] = "invalid" if data.languages else "required"
    return {"email": email, "name": name, "teams": teams, "languages": languages}


def _check_password(password: str | None, errors: dict[str, str]) -> None:
    problem = password_problem(password) if password is not None else None
    if problem is not None:
        errors["password"] = problem


def create_staff(
    session: Session,
    actor: Actor,
    data: StaffInput,
    password: str | None = None,
    *,
    invite: bool = False,
) -> User:
    """Create a staff member; without a password they cannot sign in until they set one.
    With invite (and no password) the set-password email is queued in the same commit.
    Raises InvalidStaff; commits."""
    _acting_admin(actor)
    errors: dict[str, str] = {}
    clean = _checked(session, data, errors)
    if invite and password is not None:
        raise ValueError("an invited person chooses their own password")
    _check_password(password, errors)
    if "email" not in errors and _find_user(session, clean["email"]) is not None:
        errors["email"] = "taken"
    if errors:
        raise InvalidStaff(errors)
    user = User(
        email=clean["email"],
        name=clean["name"],
        role=data.role,
        authority_slug=data.authority,
        languages=",".join(clean["languages"]),
        ui_language=clean["languages"][0],
        active=True,
        absent=data.absent,
        # An unusable hash: no password matches it until one is set.
        password_hash=(
            generate_password_hash(password, users.PASSWORD_HASH_METHOD) if password else "!"
        ),
    )
    user.teams = clean["teams"]
    session.add(user)
    _record(
        session,
        actor,
        "user_created",
        user=user,
        email=user.email,
        role=user.role,
        authority=user.authority_slug,
        teams=[t.slug for t in clean["teams"]],
        languages=clean["languages"],
        password_set=bool(password),
        invited=invite,
    )
    if invite:
        staff_invites.invite(session, user)
    session.commit()
    return user


def send_invitation(session: Session, actor: Actor, user_id: int) -> User:
    """Email a new set-password link to an active staff member (an expired invitation);
    older links stay valid until a password is set. Commits."""
    user = get_staff(session, actor, user_id)
    if not user.active:
        raise Forbidden("a deactivated person cannot be invited")
    _record(session, actor, "invitation_sent", user=user)
    staff_invites.invite(session, user)
    session.commit()
    return user


def accept_invitation(session: Session, secret: str, token: str, password: str) -> User:
    """The invited person sets their password from the link (the rules of
    desk.domain.passwords; their sessions end; the link dies). Raises
    staff_invites.BadInvitation or InvalidStaff; commits."""
    user = staff_invites.invited_user(session, secret, token)
    return set_password(session, Actor.staff(user, Channel.WEB), user.id, password)


def update_staff(session: Session, actor: Actor, user_id: int, data: StaffInput) -> User:
    """Change a staff member's email, name, role, authority, teams, languages and absence."""
    _acting_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no staff member {user_id}")
    errors: dict[str, str] = {}
    clean = _checked(session, data, errors)
    other = _find_user(session, clean["email"]) if "email" not in errors else None
    if other is not None and other.id != user.id:
        errors["email"] = "taken"
    if errors:
        raise InvalidStaff(errors)
    before = _snapshot(user)
    user.email = clean["email"]
    user.name = clean["name"]
    user.role = data.role
    user.authority_slug = data.authority
    user.languages = ",".join(clean["languages"])
    user.absent = data.absent
    user.teams = clean["teams"]
    after = _snapshot(user)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        _record(session, actor, "user_updated", user=user, changes=changed)
    session.commit()
    return user


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "authority": user.authority_slug,
        "languages": user.languages,
        "absent": user.absent,
        "teams": sorted(t.slug for t in user.teams),
    }


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a staff member. An inactive person cannot sign in, their
    sessions end at their next request and their API tokens stop answering at once."""
    admin = _acting_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no staff member {user_id}")
    if not active and admin is not None and admin.id == user.id:
        raise Forbidden("an administrator cannot deactivate themself")
    if user.active != active:
        user.active = active
        _record(session, actor, "user_enabled" if active else "user_disabled", user=user)
    session.commit()
    return user


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Set a staff member's password by the rules of desk.domain.passwords and end their
    other sessions (the invitation's page, or the CLI); raises InvalidStaff; commits."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no staff member {user_id}")
    try:
        users.change_password(user, password)
    except users.WeakPassword as exc:
        raise InvalidStaff({"password": exc.code}) from exc
    _write_change(session, actor, "password_set", user=user, details={})
    session.commit()
    return user


def list_staff(session: Session, actor: Actor) -> list[User]:
    """Every staff member, active first, by name."""
    _acting_admin(actor)
    return list(session.scalars(select(User).order_by(User.active.desc(), User.name, User.id)))


def get_staff(session: Session, actor: Actor, user_id: int) -> User:
    """One staff member for an administrator; NotFound when there is none."""
    _acting_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no staff member {user_id}")
    return user


def list_teams(session: Session) -> list[Team]:
    """Every team, by host authority and slug."""
    return list(session.scalars(select(Team).order_by(Team.authority_slug, Team.slug)))


def staff_changes(
    session: Session, user_id: int | None = None, limit: int = 50
) -> list[StaffChange]:
    """The latest recorded changes (of one staff member when given)."""
    stmt = select(StaffChange).order_by(StaffChange.id.desc()).limit(limit)
    if user_id is not None:
        stmt = stmt.where(StaffChange.user_id == user_id)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class TeamInput:
    """A team as an administrator gives it."""

    slug: str
    authority: str
    name_fi: str
    name_sv: str
    name_en: str
    regional: bool = False


def _checked_team(session: Session, data: TeamInput, errors: dict[str, str]) -> dict[str, str]:
    slug = data.slug.strip().lower()
    if not slug:
        errors["slug"] = "required"
    elif len(slug) > 80 or not all(c.isascii() and (c.isalnum() or c == "-") for c in slug):
        errors["slug"] = "invalid"
    if session.get(Authority, data.authority) is None:
        errors["authority"] = "invalid"
    names = {
        field: required_text(getattr(data, field), field, errors, 200)
        for field in ("name_fi", "name_sv", "name_en")
    }
    return {"slug": slug, **names}


def create_team(session: Session, actor: Actor, data: TeamInput) -> Team:
    """Create a team hosted by an authority; raises InvalidStaff; commits."""
    _acting_admin(actor)
    errors: dict[str, str] = {}
    clean = _checked_team(session, data, errors)
    if "slug" not in errors and session.scalar(select(Team).where(Team.slug == clean["slug"])):
        errors["slug"] = "taken"
    if errors:
        raise InvalidStaff(errors)
    team = Team(authority_slug=data.authority, regional=data.regional, **clean)
    session.add(team)
    _record(session, actor, "team_created", team=team, authority=data.authority, names=clean)
    session.commit()
    return team


def update_team(session: Session, actor: Actor, team_id: int, data: TeamInput) -> Team:
    """Rename a team or move it to another host authority (its slug stays: rules name it)."""
    _acting_admin(actor)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    errors: dict[str, str] = {}
    clean = _checked_team(session, TeamInput(**{**data.__dict__, "slug": team.slug}), errors)
    if errors:
        raise InvalidStaff(errors)
    before = {
        "authority": team.authority_slug,
        "regional": team.regional,
        "name_fi": team.name_fi,
        "name_sv": team.name_sv,
        "name_en": team.name_en,
    }
    team.authority_slug = data.authority
    team.regional = data.regional
    team.name_fi, team.name_sv, team.name_en = clean["name_fi"], clean["name_sv"], clean["name_en"]
    after = {
        "authority": team.authority_slug,
        "regional": team.regional,
        "name_fi": team.name_fi,
        "name_sv": team.name_sv,
        "name_en": team.name_en,
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        _record(session, actor, "team_updated", team=team, changes=changed)
    session.commit()
    return team


def list_authorities(session: Session) -> list[Authority]:
    """The authorities a staff member or a team may belong to."""
    return list(session.scalars(select(Authority).order_by(Authority.slug)))
