"""Staff accounts: sign-in and the demo users of development."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from desk.domain.passwords import password_problem
from desk.models import Team, User
from desk.services.access import Role

# Compared against when the email is unknown, so timing does not reveal which emails exist.
DUMMY_HASH = generate_password_hash("not-a-real-password")

# Werkzeug's default method; only the test suite lowers it (scrypt is most of a fixture's time).
PASSWORD_HASH_METHOD = "scrypt"


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, else None."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(DUMMY_HASH, password)
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def end_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere: every cookie carries the old session version (commits)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.commit()


def deactivate(session: Session, user_id: int) -> None:
    """The user can no longer sign in, and their open sessions end (commits)."""
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
        user.session_version += 1
        session.commit()


class WeakPassword(ValueError):
    """The new password breaks the rules; code is too_short, too_long or too_common."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def change_password(user: User, password: str) -> None:
    """Give the user a new password (checked against the rules) and end their other
    sessions, in the caller's transaction; raises WeakPassword."""
    problem = password_problem(password)
    if problem is not None:
        raise WeakPassword(problem)
    user.password_hash = generate_password_hash(password, PASSWORD_HASH_METHOD)
    user.session_version += 1


def set_password(session: Session, user_id: int, password: str) -> None:
    """A new password (checked against the rules); other sessions end (commits)."""
    problem = password_problem(password)
    if problem is not None:
        raise WeakPassword(problem)
    user = session.get(User, user_id)
    if user is not None:
        change_password(user, password)
        session.commit()


def upsert_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    authority: str,
    teams: list[str],
    languages: list[str],
) -> User:
    """Create or update a staff user (does not commit); a changed password ends the user's
    open sessions. For the demo and test users and imports; a password a person chooses
    goes through set_password and its rules."""
    if role not in set(Role):
        raise ValueError(f"unknown role {role!r}")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, session_version=0, failed_sign_ins=0)
        session.add(user)
    elif not check_password_hash(user.password_hash, password):
        user.session_version += 1
    user.name = name
    user.password_hash = generate_password_hash(password, PASSWORD_HASH_METHOD)
    user.role = role
    user.authority_slug = authority
    user.languages = ",".join(languages)
    user.ui_language = languages[0] if languages else "fi"
    user.active = True
    user.teams = list(session.scalars(select(Team).where(Team.slug.in_(teams))))
    return user


def load_demo_users(session: Session, path: str | Path) -> list[tuple[str, str, str]]:
    """Create the demo staff from the file; returns (email, password, description) rows."""
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    password = str(data["password"])
    shown: list[tuple[str, str, str]] = []
    for row in data["users"]:
        upsert_user(
            session,
            email=row["email"],
            name=row["name"],
            password=password,
            role=row["role"],
            authority=row["authority"],
            teams=list(row["teams"]),
            languages=list(row["languages"]),
        )
        shown.append((row["email"], password, f"{row['role']}, {row['authority']}"))
    session.commit()
    return shown
