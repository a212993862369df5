"""The objects every blueprint shares: the request's database session, CSRF and sign-in.

They live here, not in the application factory (as the Flask tutorial's `db.py` does), so
blueprints import them without importing `desk.app`; `create_app` calls `init_app`.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g, session
from flask_login import LoginManager, login_user
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from desk.models import User
from desk.services import users

csrf = CSRFProtect()
login_manager = LoginManager()


def db_session() -> Session:
    """The request's (or task's) session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["desk.sessions"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


# What a staff session carries besides Flask-Login's user id (set by start_staff_session).
SESSION_VERSION = "_sv"
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
# The last-seen time is written back at most this often (each write is a new cookie).
_SEEN_RESOLUTION_SECONDS = 30


def _load_user(user_id: str) -> User | None:
    """The signed-in user, checked on every request: still active, the session version they
    signed in under (sign-out and deactivation bump it), and the idle and absolute limits."""
    user = users.get_user(db_session(), int(user_id)) if user_id.isdigit() else None
    now = time.time()
    signed_in_at = float(session.get(SIGNED_IN_AT, 0))
    seen_at = float(session.get(SEEN_AT, 0))
    config = current_app.config
    if (
        user is None
        or not user.active
        or session.get(SESSION_VERSION) != user.session_version
        or now - signed_in_at > float(config["SESSION_MAX_HOURS"]) * 3600
        or now - seen_at > float(config["SESSION_IDLE_MINUTES"]) * 60
    ):
        session.clear()
        return None
    if now - seen_at > _SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
    return user


def start_staff_session(user: User) -> None:
    """A fresh session for a user who just signed in: nothing of the old one is kept (so the
    CSRF token is new too) but the language chosen, stamped with the user's session version
    and the time."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)
    now = time.time()
    session[SESSION_VERSION] = user.session_version
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def init_app(app: Flask) -> None:
    """Close the session at teardown; CSRF on every form; Flask-Login with the staff sign-in."""
    app.teardown_appcontext(_close_session)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)
