"""Sign-in by magic link: ask for a link, confirm it with a button (mail scanners fetch links
with GET, which must not use up a single-use link), sign out."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask.wrappers import Response as FlaskResponse
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from desk.services import organisations
from desk.services.errors import NotFound
from desk.services.identity.provider import SignInFailed
from desk.web import portal_session
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.portal.common import identity_provider, install
from desk.web.rate_limits import retry_after

bp = Blueprint("portal", __name__)
install(bp)

MAX_EMAIL = 254


def email_error(email: str) -> str | None:
    """A translated message for an address that cannot be one, else None."""
    text = email.strip()
    if not text:
        return str(_("Enter your email address"))
    if (
        len(text) > MAX_EMAIL
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)
        or text.count("@") != 1
        or "." not in text.rpartition("@")[2]
        or text.startswith("@")
    ):
        return str(_("Enter an email address in the correct format, like name@example.fi"))
    return None


def _form(email: str, errors: dict[str, str], status: int, sent: bool = False) -> tuple[str, int]:
    return (
        render_template(
            "portal/sign_in.html",
            form=CsrfForm(),
            values={"email": email},
            errors=errors,
            sent=sent,
        ),
        status,
    )


@bp.get("/portal/sign-in")
def sign_in() -> tuple[str, int]:
    return _form("", {}, 200, sent=request.args.get("sent") == "1")


def too_many(_limit: RequestLimit) -> FlaskResponse:
    """429: the form again with what was typed, and when to try again."""
    message = _("Too many attempts from your connection. Wait a moment and try again.")
    if request.endpoint == "portal.confirm_post":
        page = render_template("portal/sign_in_failed.html", message=message)
    else:
        page = _form(request.form.get("email", ""), {"email": message}, 429)[0]
    response = make_response(page, 429)
    response.headers["Retry-After"] = retry_after()
    return response


@bp.post("/portal/sign-in")
@checks_csrf_itself
def sign_in_post() -> Response | tuple[str, int]:
    email = request.form.get("email", "")
    if not CsrfForm().validate_on_submit():
        return _form(email, {"email": _("The form expired. Send it again.")}, 400)
    error = email_error(email)
    if error is not None:
        return _form(email, {"email": error}, 422)
    # The same answer whether or not the address is known (the provider decides quietly).
    identity_provider().start(db_session(), email, str(get_locale() or "fi"))
    return redirect(url_for("portal.sign_in", sent=1), 303)


@bp.get("/portal/sign-in/<token>")
def confirm(token: str) -> str:
    return render_template("portal/sign_in_confirm.html", token=token, form=CsrfForm())


@bp.post("/portal/sign-in/<token>")
@checks_csrf_itself
def confirm_post(token: str) -> Response | tuple[str, int]:
    if not CsrfForm().validate_on_submit():
        message = _("The form expired. Open the link from your email again.")
        return render_template("portal/sign_in_failed.html", message=message), 400
    session = db_session()
    try:
        identity = identity_provider().complete(session, token[:300])
        contact = organisations.sign_in(session, identity)
    except (SignInFailed, NotFound):
        message = _("This sign-in link has been used already or has expired. Ask for a new one.")
        return render_template("portal/sign_in_failed.html", message=message), 400
    portal_session.sign_in(contact.id)
    return redirect(url_for("portal_cases.my_cases"), 303)


@bp.post("/portal/sign-out")
def sign_out() -> Response:
    """Under the global CSRF guard (as staff's sign-out): another site cannot sign one out."""
    portal_session.sign_out()
    return redirect(url_for("portal.sign_in"), 303)
