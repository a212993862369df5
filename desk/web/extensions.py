"""The objects every blueprint shares: the request's database session, CSRF and sign-in.

They live here, not in the application factory (as the Flask tutorial's `db.py` does), so
blueprints import them without importing `desk.app`; `create_app` calls `init_app`.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import LoginManager
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


def _load_user(user_id: str) -> User | None:
    return users.get_user(db_session(), int(user_id)) if user_id.isdigit() else None


def init_app(app: Flask) -> None:
    """Close the session at teardown; CSRF on every form; Flask-Login with the staff sign-in."""
    app.teardown_appcontext(_close_session)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)
