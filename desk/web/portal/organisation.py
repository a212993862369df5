"""The organisation's contacts, kept by its admin contact: invite a colleague, remove one."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.services import organisations
from desk.services.access import EmployerPrincipal
from desk.services.errors import Conflict, NotFound
from desk.web import portal_session
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.portal.common import install
from desk.web.portal.sign_in import email_error

bp = Blueprint("portal_organisation", __name__)
install(bp)


def _admin() -> EmployerPrincipal | Response:
    who = portal_session.principal()
    if not who.signed_in:
        return redirect(url_for("portal.sign_in"), 303)
    if not who.is_org_admin:
        abort(403)
    return who


def _render(
    who: EmployerPrincipal, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    session = db_session()
    return (
        render_template(
            "portal/organisation.html",
            organisation=organisations.organisation_of(session, who),
            colleagues=organisations.colleagues(session, who),
            who=who,
            values=values,
            errors=errors,
            form=CsrfForm(),
            invited=request.args.get("invited") == "1",
            removed=request.args.get("removed") == "1",
        ),
        status,
    )


@bp.get("/portal/organisation")
def page() -> Response | tuple[str, int]:
    who = _admin()
    if isinstance(who, Response):
        return who
    return _render(who, {}, {})


@bp.post("/portal/organisation/invite")
@checks_csrf_itself
def invite() -> Response | tuple[str, int]:
    who = _admin()
    if isinstance(who, Response):
        return who
    values = {"email": request.form.get("email", "")}
    if not CsrfForm().validate_on_submit():
        return _render(who, values, {"email": _("The form expired. Send it again.")}, 400)
    error = email_error(values["email"])
    if error is not None:
        return _render(who, values, {"email": error}, 422)
    try:
        organisations.invite(db_session(), who, values["email"], str(get_locale() or "fi"))
    except ValueError:
        message = _("Enter an email address in the correct format, like name@example.fi")
        return _render(who, values, {"email": message}, 422)
    except Conflict:
        message = _("This address is a contact of another organisation.")
        return _render(who, values, {"email": message}, 409)
    return redirect(url_for("portal_organisation.page", invited=1), 303)


@bp.post("/portal/organisation/contacts/<int:contact_id>/remove")
@checks_csrf_itself
def remove(contact_id: int) -> Response | tuple[str, int]:
    who = _admin()
    if isinstance(who, Response):
        return who
    if not CsrfForm().validate_on_submit():
        return _render(who, {}, {"remove": _("The form expired. Send it again.")}, 400)
    try:
        organisations.remove(db_session(), who, contact_id)
    except NotFound:
        abort(404)
    except Conflict:
        return _render(who, {}, {"remove": _("You cannot remove yourself.")}, 409)
    return redirect(url_for("portal_organisation.page", removed=1), 303)
