"""Staff sign-in with email and password (Flask-Login).

Identity sits behind Flask-Login's user loader and services.users.authenticate, so a
Suomi.fi e-Identification provider can be added beside the password sign-in later.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from desk.services import audit, users
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("staff.queue")


@bp.route("/login", methods=["GET", "POST"])
@checks_csrf_itself
def login() -> str | Response | tuple[str, int]:
    form = CsrfForm()
    error = None
    email = request.form.get("email", "")
    if request.method == "POST":
        if not form.validate_on_submit():
            error = _("Your session expired. Please try again.")
        else:
            user = users.authenticate(db_session(), email, request.form.get("password", ""))
            audit.log_sign_in(db_session(), email, user, request.remote_addr)
            if user is not None:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            error = _("The email address or password is incorrect.")
        return render_template("auth/login.html", form=form, error=error, email=email), 401
    return render_template("auth/login.html", form=form, error=None, email=email)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = CsrfForm()
    if form.validate_on_submit():
        logout_user()
    return redirect(url_for("public.index"))
