"""Staff sign-in with email and password (Flask-Login), the TOTP second factor and
sign-out.

Identity sits behind Flask-Login's user loader and services.sign_in, so a Suomi.fi
e-Identification provider can be added beside the password sign-in later. Between the
password and the second factor the session holds only a pending sign-in (the user id, for
five minutes); the staff session starts when both steps are done.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from desk.models import User
from desk.services import sign_in, staff_admin, staff_invites, users
from desk.web.extensions import db_session, start_staff_session
from desk.web.forms import CsrfForm, checks_csrf_itself

bp = Blueprint("auth", __name__)

PENDING = "_pending_sign_in"
SETUP_SECRET = "_totp_setup_secret"
PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str:
    """A same-site path to go on to, else the queue.

    Browsers read a backslash as a slash and drop tabs and newlines, so `/\\evil.example`
    and `/\t/evil.example` lead off-site as `//evil.example` does: only a plain path passes.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and " " not in target
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/"):
            return target
    return url_for("staff.queue")


def admin_needs_second_factor() -> bool:
    """ADMIN_SECOND_FACTOR true/false decides; empty: required in production only."""
    configured = str(current_app.config.get("ADMIN_SECOND_FACTOR", "")).strip().lower()
    if configured in ("1", "true", "yes", "on"):
        return True
    if configured in ("0", "false", "no", "off"):
        return False
    return current_app.config.get("ENV") == "production"


def _locked_message(until: Any) -> str:
    message: str = _(
        "Too many failed sign-ins: the account is locked. Try again after %(time)s.",
        time=format_datetime(until, "short") if until is not None else "",
    )
    return message


def _locked_response(attempt: sign_in.Attempt, template: str, **context: Any) -> Any:
    seconds = 60
    if attempt.locked_until is not None:
        seconds = max(1, int(attempt.locked_until.timestamp() - time.time()))
    body = render_template(template, error=_locked_message(attempt.locked_until), **context)
    return body, 429, {"Retry-After": str(seconds)}


def _start_pending(user: User, next_url: str) -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[PENDING] = {"user_id": user.id, "at": time.time(), "next": next_url}


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > (
        PENDING_SECONDS
    ):
        return None
    user = users.get_user(db_session(), int(pending.get("user_id", 0)))
    return user if user is not None and user.active else None


def _finish(user: User) -> Response:
    pending = session.get(PENDING) or {}
    start_staff_session(user)
    return redirect(_safe_next(pending.get("next")))


@bp.route("/login", methods=["GET", "POST"])
@checks_csrf_itself
def login() -> Any:
    form = CsrfForm()
    error = None
    email = request.form.get("email", "")
    template = "auth/login.html"
    if request.method == "POST":
        if not form.validate_on_submit():
            error = _("Your session expired. Please try again.")
        else:
            attempt = sign_in.check_password(
                db_session(),
                email,
                request.form.get("password", ""),
                request.remote_addr,
                admin_needs_second_factor=admin_needs_second_factor(),
            )
            next_url = _safe_next(request.args.get("next"))
            if attempt.outcome is sign_in.Outcome.SIGNED_IN and attempt.user is not None:
                start_staff_session(attempt.user)
                return redirect(next_url)
            if attempt.user is not None and attempt.outcome in (
                sign_in.Outcome.NEEDS_SECOND_FACTOR,
                sign_in.Outcome.NEEDS_SECOND_FACTOR_SETUP,
            ):
                _start_pending(attempt.user, next_url)
                if attempt.outcome is sign_in.Outcome.NEEDS_SECOND_FACTOR:
                    return redirect(url_for("auth.second_factor"))
                return redirect(url_for("auth.second_factor_setup"))
            if attempt.outcome is sign_in.Outcome.LOCKED:
                return _locked_response(attempt, template, form=form, email=email)
            error = _("The email address or password is incorrect.")
        return render_template(template, form=form, error=error, email=email), 401
    return render_template(template, form=form, error=None, email=email)


@bp.route("/login/second-factor", methods=["GET", "POST"])
@checks_csrf_itself
def second_factor() -> Any:
    user = _pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = CsrfForm()
    template = "auth/second_factor.html"
    if request.method == "GET":
        return render_template(template, form=form, error=None)
    if not form.validate_on_submit():
        return render_template(template, form=form, error=_("Your session expired.")), 400
    attempt = sign_in.check_second_factor(
        db_session(), user.id, request.form.get("code", ""), request.remote_addr
    )
    if attempt.outcome is sign_in.Outcome.SIGNED_IN:
        return _finish(user)
    if attempt.outcome is sign_in.Outcome.LOCKED:
        session.pop(PENDING, None)
        return _locked_response(attempt, template, form=form)
    error = _("The code is not right. Type the six digits your app shows now, or a recovery code.")
    return render_template(template, form=form, error=error), 401


@bp.route("/login/second-factor/setup", methods=["GET", "POST"])
@checks_csrf_itself
def second_factor_setup() -> Any:
    """Set up TOTP: forced for an administrator signing in, optional for signed-in staff."""
    signed_in = bool(current_user.is_authenticated)
    user = current_user._get_current_object() if signed_in else _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CsrfForm()
    secret = session.get(SETUP_SECRET)
    if request.method == "GET" or not secret:
        secret = sign_in.new_totp_secret()
        session[SETUP_SECRET] = secret
    context = {
        "form": form,
        "secret": secret,
        "uri": sign_in.provisioning_uri(secret, user.email),
        "forced": not signed_in,
    }
    template = "auth/second_factor_setup.html"
    if request.method == "GET":
        return render_template(template, error=None, **context)
    if not form.validate_on_submit():
        return render_template(template, error=_("Your session expired."), **context), 400
    codes = sign_in.enable_second_factor(
        db_session(), user.id, secret, request.form.get("code", ""), request.remote_addr
    )
    if codes is None:
        error = _("The code is not right. Type the six digits your app shows now.")
        return render_template(template, error=error, **context), 422
    session.pop(SETUP_SECRET, None)
    if signed_in:
        next_url = url_for("staff.queue")
    else:
        next_url = _safe_next((session.get(PENDING) or {}).get("next"))
        sign_in.succeed(db_session(), user, request.remote_addr)
        start_staff_session(user)
    return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = CsrfForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            users.end_sessions(db_session(), int(current_user.id))
        logout_user()
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language
    return redirect(url_for("public.index"))


PASSWORD_ERRORS = {
    "too_short": _l("The password is too short: at least 12 characters"),
    "too_long": _l("The password is too long: at most 200 characters"),
    "too_common": _l("This password is too common. Choose one that is harder to guess"),
    "mismatch": _l("The two passwords are not the same"),
}


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@checks_csrf_itself
def set_password(token: str) -> Any:
    """A new staff member chooses their password from the invitation's link (used once)."""
    template = "auth/set_password.html"
    secret = str(current_app.config["SECRET_KEY"])
    try:
        user = staff_invites.invited_user(db_session(), secret, token)
    except staff_invites.BadInvitation:
        return render_template(template, form=CsrfForm(), person=None, errors={}), 400
    form = CsrfForm()
    if request.method == "GET":
        return render_template(template, form=form, person=user, errors={})
    if not form.validate_on_submit():
        errors = {"form": _("Your session expired. Please try again.")}
        return render_template(template, form=form, person=user, errors=errors), 400
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        errors = {"password_again": str(PASSWORD_ERRORS["mismatch"])}
        return render_template(template, form=form, person=user, errors=errors), 422
    try:
        staff_admin.accept_invitation(db_session(), secret, token, password)
    except staff_invites.BadInvitation:
        db_session().rollback()
        return render_template(template, form=form, person=None, errors={}), 400
    except staff_admin.InvalidStaff as exc:
        db_session().rollback()
        code = exc.errors.get("password", "too_short")
        errors = {"password": str(PASSWORD_ERRORS.get(code, PASSWORD_ERRORS["too_short"]))}
        return render_template(template, form=form, person=user, errors=errors), 422
    flash(_("Your password is set. Sign in with your email address and the new password."))
    return redirect(url_for("auth.login"), 303)
