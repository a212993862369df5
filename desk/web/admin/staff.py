"""Administrators' staff and team pages: create, edit, deactivate and reactivate staff;
create teams, rename them and set their host authority. Every change is recorded by the
service (staff_changes and the access log)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from desk.services import staff_admin
from desk.services.errors import Forbidden, NotFound
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.i18n import page_language
from desk.web.messages import LANGUAGE_LABELS
from desk.web.messages import error_message as shared_error_message

bp = Blueprint("staff_admin", __name__, url_prefix="/admin")

STAFF_LABELS = {
    "email": _l("Email address"),
    "name": _l("Name"),
    "role": _l("Role"),
    "authority": _l("Authority"),
    "teams": _l("Teams"),
    "languages": _l("Languages spoken"),
    "absent": _l("Absent (automatic assignment skips them)"),
    "password": _l("First password"),
    "invite": _l("Invite by email: they choose their own password from a link"),
}
TEAM_LABELS = {
    "slug": _l("Short name (slug)"),
    "authority": _l("Host authority"),
    "name_fi": _l("Name in Finnish"),
    "name_sv": _l("Name in Swedish"),
    "name_en": _l("Name in English"),
    "regional": _l("Regional team (serves both authorities)"),
}
ROLE_LABELS = {
    "adviser": _l("Adviser"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}
ERRORS = {
    ("email", "required"): _l("Enter the email address"),
    ("email", "invalid"): _l("Enter an email address like name@lahti.fi"),
    ("email", "taken"): _l("A staff member with this email address exists already"),
    ("name", "required"): _l("Enter the name"),
    ("name", "too_long"): _l("The name is too long: at most 200 characters"),
    ("role", "invalid"): _l("Select a role"),
    ("authority", "invalid"): _l("Select an authority"),
    ("teams", "invalid"): _l("Select teams from the list"),
    ("languages", "required"): _l("Select at least one language"),
    ("languages", "invalid"): _l("Select languages from the list"),
    ("password", "too_short"): _l("The password is too short: at least 12 characters"),
    ("password", "too_long"): _l("The password is too long: at most 200 characters"),
    ("password", "too_common"): _l(
        "This password is too common. Choose one that is harder to guess"
    ),
    ("slug", "required"): _l("Enter a short name"),
    ("slug", "invalid"): _l("Use lower-case letters, digits and hyphens, like lahti-recruitment"),
    ("slug", "taken"): _l("A team with this short name exists already"),
    ("name_fi", "required"): _l("Enter the name in Finnish"),
    ("name_sv", "required"): _l("Enter the name in Swedish"),
    ("name_en", "required"): _l("Enter the name in English"),
    ("name_fi", "too_long"): _l("The name is too long: at most 200 characters"),
    ("name_sv", "too_long"): _l("The name is too long: at most 200 characters"),
    ("name_en", "too_long"): _l("The name is too long: at most 200 characters"),
}
CHANGE_LABELS = {
    "user_created": _l("Created"),
    "user_updated": _l("Changed"),
    "user_disabled": _l("Deactivated"),
    "user_enabled": _l("Reactivated"),
    "password_set": _l("Password set"),
    "invitation_sent": _l("Invitation sent"),
    "team_created": _l("Team created"),
    "team_updated": _l("Team changed"),
}


def _messages(errors: dict[str, str]) -> dict[str, str]:
    return {
        field: str(ERRORS.get((field, code), _("%(field)s is not valid", field=field)))
        for field, code in errors.items()
    }


def _csrf_error() -> dict[str, str]:
    return {"form": shared_error_message("csrf", "expired")}


def _staff_values(form: Any) -> dict[str, Any]:
    return {
        "email": form.get("email", ""),
        "name": form.get("name", ""),
        "role": form.get("role", ""),
        "authority": form.get("authority", ""),
        "teams": form.getlist("teams"),
        "languages": form.getlist("languages"),
        "absent": form.get("absent") == "1",
        "invite": form.get("invite") == "1",
    }


def _staff_input(values: dict[str, Any]) -> staff_admin.StaffInput:
    return staff_admin.StaffInput(
        email=values["email"],
        name=values["name"],
        role=values["role"],
        authority=values["authority"],
        teams=tuple(values["teams"]),
        languages=tuple(values["languages"]),
        absent=bool(values["absent"]),
    )


def _common() -> dict[str, Any]:
    session = db_session()
    return {
        "labels": STAFF_LABELS,
        "roles": ROLE_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "staff_languages": staff_admin.STAFF_LANGUAGES,
        "authorities": staff_admin.list_authorities(session),
        "teams": staff_admin.list_teams(session),
        "lang": page_language(),
        "form": CsrfForm(),
    }


def _render_list(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = db_session()
    page = render_template(
        "admin/staff_users.html",
        people=staff_admin.list_staff(session, current_actor()),
        values=values or {"languages": ["fi"], "teams": []},
        errors=errors or {},
        **_common(),
    )
    return page, status


@bp.get("/users")
@admin_required
def users_page() -> tuple[str, int]:
    return _render_list()


@bp.post("/users")
@checks_csrf_itself
@admin_required
def create_user() -> tuple[str, int] | Response:
    values = _staff_values(request.form)
    if not CsrfForm().validate_on_submit():
        return _render_list(values, _csrf_error(), 400)
    invite = values["invite"]
    # An invited person chooses their own password; a password typed as well is ignored.
    password = None if invite else request.form.get("password", "")
    session = db_session()
    try:
        user = staff_admin.create_staff(
            session,
            current_actor(),
            _staff_input(values),
            None if invite else (password or "x"),
            invite=invite,
        )
    except staff_admin.InvalidStaff as exc:
        session.rollback()
        errors = dict(exc.errors)
        if not invite and not password:
            errors["password"] = "too_short"
        return _render_list(values, _messages(errors), 422)
    if invite:
        flash(
            _(
                "%(name)s was added. A link to choose their password (valid 72 hours) was "
                "sent to %(email)s.",
                name=user.name,
                email=user.email,
            )
        )
    else:
        flash(_("%(name)s was added. They can sign in with the password you gave.", name=user.name))
    return redirect(url_for("staff_admin.user_page", user_id=user.id), 303)


def _render_user(
    user_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db_session()
    try:
        person = staff_admin.get_staff(session, current_actor(), user_id)
    except NotFound:
        abort(404)
    if values is None:
        values = {
            "email": person.email,
            "name": person.name,
            "role": person.role,
            "authority": person.authority_slug,
            "teams": [t.slug for t in person.teams],
            "languages": [lang for lang in person.languages.split(",") if lang],
            "absent": person.absent,
        }
    page = render_template(
        "admin/staff_user.html",
        person=person,
        changes=staff_admin.staff_changes(session, user_id),
        change_labels=CHANGE_LABELS,
        values=values,
        errors=errors or {},
        **_common(),
    )
    return page, status


@bp.get("/users/<int:user_id>")
@admin_required
def user_page(user_id: int) -> tuple[str, int]:
    return _render_user(user_id)


@bp.post("/users/<int:user_id>")
@checks_csrf_itself
@admin_required
def save_user(user_id: int) -> tuple[str, int] | Response:
    values = _staff_values(request.form)
    if not CsrfForm().validate_on_submit():
        return _render_user(user_id, values, _csrf_error(), 400)
    session = db_session()
    try:
        staff_admin.update_staff(session, current_actor(), user_id, _staff_input(values))
    except NotFound:
        abort(404)
    except staff_admin.InvalidStaff as exc:
        session.rollback()
        return _render_user(user_id, values, _messages(exc.errors), 422)
    flash(_("Changes saved."))
    return redirect(url_for("staff_admin.user_page", user_id=user_id), 303)


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int) -> Response:
    """Deactivate (active=0) or reactivate (active=1) a staff member."""
    wanted = request.form.get("active", "")
    if wanted not in ("0", "1"):
        abort(400)
    try:
        person = staff_admin.set_active(db_session(), current_actor(), user_id, wanted == "1")
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    if person.active:
        flash(_("%(name)s is active again and can sign in.", name=person.name))
    else:
        flash(
            _(
                "%(name)s was deactivated: they cannot sign in, and their API tokens stopped "
                "working.",
                name=person.name,
            )
        )
    return redirect(url_for("staff_admin.user_page", user_id=user_id), 303)


@bp.post("/users/<int:user_id>/invite")
@admin_required
def invite_user(user_id: int) -> Response:
    """Email a new set-password link (an expired invitation, a forgotten password)."""
    try:
        person = staff_admin.send_invitation(db_session(), current_actor(), user_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(409)
    flash(
        _(
            "A link to choose a password (valid 72 hours) was sent to %(email)s.",
            email=person.email,
        )
    )
    return redirect(url_for("staff_admin.user_page", user_id=user_id), 303)


# --- teams ----------------------------------------------------------------------------------


def _team_values(form: Any) -> dict[str, Any]:
    return {
        "slug": form.get("slug", ""),
        "authority": form.get("authority", ""),
        "name_fi": form.get("name_fi", ""),
        "name_sv": form.get("name_sv", ""),
        "name_en": form.get("name_en", ""),
        "regional": form.get("regional") == "1",
    }


def _render_teams(
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    editing: int | None = None,
) -> tuple[str, int]:
    page = render_template(
        "admin/staff_teams.html",
        team_labels=TEAM_LABELS,
        values=values or {},
        errors=errors or {},
        editing=editing,
        **_common(),
    )
    return page, status


@bp.get("/teams")
@admin_required
def teams_page() -> tuple[str, int]:
    return _render_teams()


@bp.post("/teams")
@checks_csrf_itself
@admin_required
def create_team() -> tuple[str, int] | Response:
    values = _team_values(request.form)
    if not CsrfForm().validate_on_submit():
        return _render_teams(values, _csrf_error(), 400)
    session = db_session()
    try:
        team = staff_admin.create_team(session, current_actor(), staff_admin.TeamInput(**values))
    except staff_admin.InvalidStaff as exc:
        session.rollback()
        return _render_teams(values, _messages(exc.errors), 422)
    flash(_("Team %(team)s was created.", team=team.name(page_language())))
    return redirect(url_for("staff_admin.teams_page"), 303)


@bp.post("/teams/<int:team_id>")
@checks_csrf_itself
@admin_required
def save_team(team_id: int) -> tuple[str, int] | Response:
    values = _team_values(request.form)
    if not CsrfForm().validate_on_submit():
        return _render_teams(values, _csrf_error(), 400, editing=team_id)
    session = db_session()
    try:
        team = staff_admin.update_team(
            session, current_actor(), team_id, staff_admin.TeamInput(**values)
        )
    except NotFound:
        abort(404)
    except staff_admin.InvalidStaff as exc:
        session.rollback()
        return _render_teams(values, _messages(exc.errors), 422, editing=team_id)
    flash(_("Team %(team)s was saved.", team=team.name(page_language())))
    return redirect(url_for("staff_admin.teams_page"), 303)
