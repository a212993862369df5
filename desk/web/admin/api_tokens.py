"""Administrators' API tokens page: create a token for a staff member (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.services import api_tokens
from desk.services.errors import NotFound
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import (
    API_SCOPE_LABELS,
    API_TOKEN_FIELD_LABELS,
    error_message,
    error_messages,
)

bp = Blueprint("api_tokens_admin", __name__, url_prefix="/admin/api-tokens")


def _render(
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    created: api_tokens.NewToken | None = None,
) -> tuple[str, int]:
    session = db_session()
    page = render_template(
        "admin/api_tokens.html",
        tokens=api_tokens.list_tokens(session),
        owners=api_tokens.token_owners(session),
        scopes=api_tokens.SCOPES,
        scope_labels=API_SCOPE_LABELS,
        labels=API_TOKEN_FIELD_LABELS,
        values=values or {"scopes": ["read"]},
        errors=errors or {},
        created=created,
        form=CsrfForm(),
    )
    return page, status


@bp.get("/")
@admin_required
def tokens_page() -> tuple[str, int]:
    return _render()


@bp.post("/")
@checks_csrf_itself
@admin_required
def create_token() -> tuple[str, int]:
    user = request.form.get("user", "")
    values: dict[str, object] = {
        "user": user,
        "name": request.form.get("name", ""),
        "scopes": request.form.getlist("scopes"),
    }
    if not CsrfForm().validate_on_submit():
        return _render(values, {"form": error_message("csrf", "expired")}, 400)
    session = db_session()
    try:
        created = api_tokens.create_token(
            session,
            current_actor(),
            int(user) if user.isdigit() else None,
            str(values["name"]),
            list(request.form.getlist("scopes")),
        )
    except api_tokens.InvalidApiToken as exc:
        session.rollback()
        return _render(values, error_messages(exc.errors, "api_tokens"), 422)
    # Shown once, in this response only: never in a URL, the session or a flash message.
    return _render(created=created, status=201)


@bp.post("/<int:token_id>/revoke")
@admin_required
def revoke_token(token_id: int) -> Response:
    try:
        token = api_tokens.revoke_token(db_session(), current_actor(), token_id)
    except NotFound:
        abort(404)
    flash(_("Token %(name)s was revoked: it no longer works.", name=token.name))
    return redirect(url_for("api_tokens_admin.tokens_page"), 303)


@bp.after_request
def _no_store(response: Response) -> Response:
    """The page that shows a new token must not be kept by caches or the back button."""
    response.headers["Cache-Control"] = "no-store"
    return response
