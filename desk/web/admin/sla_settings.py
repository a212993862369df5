"""Administrators' SLA settings: the policy of each need (versioned) and closure days."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.business_calendar import HELSINKI
from desk.domain.sla import POLICY_FIELDS, policy_errors
from desk.models import Authority
from desk.services import sla_policies
from desk.services.errors import Conflict, NotFound
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import SLA_POLICY_FIELD_LABELS, error_message, error_messages

bp = Blueprint("sla", __name__)


def helsinki_today() -> date:
    """Today in Helsinki, where the desk's days are."""
    return datetime.now(HELSINKI).date()


def _authorities() -> list[Authority]:
    return sla_policies.list_authorities(db_session())


def _render_settings(
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = db_session()
    return (
        render_template(
            "admin/sla_settings.html",
            form=CsrfForm(),
            policies=sla_policies.list_policies(session),
            closures=sla_policies.list_closure_days(session, since=helsinki_today()),
            authorities=_authorities(),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/admin/sla")
@admin_required
def settings() -> tuple[str, int]:
    return _render_settings()


@bp.post("/admin/sla/closures")
@checks_csrf_itself
@admin_required
def add_closure() -> Response | tuple[str, int]:
    values = {name: request.form.get(name, "") for name in ("day", "authority", "note")}
    if not CsrfForm().validate_on_submit():
        return _render_settings({"form": error_message("csrf", "expired")}, values, 400)
    errors: dict[str, str] = {}
    day: date | None = None
    if not values["day"].strip():
        errors["day"] = error_message("day", "required", "sla")
    else:
        try:
            day = date.fromisoformat(values["day"].strip())
        except ValueError:
            errors["day"] = error_message("day", "invalid", "sla")
    authority = values["authority"] or None
    if authority is not None and authority not in {a.slug for a in _authorities()}:
        errors["authority"] = error_message("authority", "invalid", "sla")
    if errors or day is None:
        return _render_settings(errors, values, 422)
    try:
        sla_policies.add_closure_day(
            db_session(), current_actor(), day, authority, values["note"], today=helsinki_today()
        )
    except sla_policies.InvalidClosureDay as exc:
        return _render_settings(error_messages(exc.errors, "sla"), values, 422)
    except Conflict:
        errors["day"] = error_message("day", "duplicate_closure", "sla")
        return _render_settings(errors, values, 409)
    flash(_("Closure day added. Clocks of open cases skip it from now on."))
    return redirect(url_for("sla.settings"), 303)


@bp.post("/admin/sla/closures/<int:closure_id>/remove")
@admin_required
def remove_closure(closure_id: int) -> Response:
    # Under the global CSRF guard: a bare button, nothing typed to keep.
    try:
        sla_policies.remove_closure_day(db_session(), current_actor(), closure_id)
    except NotFound:
        abort(404)
    flash(_("Closure day removed."))
    return redirect(url_for("sla.settings"), 303)


def _render_policy(
    need: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db_session()
    listing = next((p for p in sla_policies.list_policies(session) if p.need.code == need), None)
    if listing is None:
        abort(404)
    if values is None:
        values = {
            "first_response_minutes": str(listing.policy.first_response_minutes),
            "resolution_minutes": str(listing.policy.resolution_minutes),
            "warning_percent": str(listing.policy.warning_percent),
        }
    return (
        render_template(
            "admin/sla_policy.html",
            form=CsrfForm(),
            listing=listing,
            history=sla_policies.policy_history(session, need),
            labels=SLA_POLICY_FIELD_LABELS,
            errors=errors or {},
            values=values,
        ),
        status,
    )


@bp.get("/admin/sla/policies/<need>")
@admin_required
def policy(need: str) -> tuple[str, int]:
    return _render_policy(need)


@bp.post("/admin/sla/policies/<need>")
@checks_csrf_itself
@admin_required
def change_policy(need: str) -> Response | tuple[str, int]:
    values = {name: request.form.get(name, "") for name in POLICY_FIELDS}
    if not CsrfForm().validate_on_submit():
        return _render_policy(need, {"form": error_message("csrf", "expired")}, values, 400)
    policy_value, codes = policy_errors(values)
    if policy_value is None:
        return _render_policy(need, error_messages(codes, "sla"), values, 422)
    try:
        row = sla_policies.change_policy(
            db_session(),
            current_actor(),
            need,
            policy_value.first_response_minutes,
            policy_value.resolution_minutes,
            policy_value.warning_percent,
        )
    except NotFound:
        abort(404)
    except Conflict as exc:
        message = error_message("policy", exc.code, "sla")
        return _render_policy(need, {"form": message}, values, 409)
    flash(_("Saved as version %(version)s. It applies to new cases.", version=row.version))
    return redirect(url_for("sla.settings"), 303)
