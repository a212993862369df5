"""The one place the staff case page is rendered: for the page itself and for every action
that answers with the page again (a form's errors, an expired session, a conflict)."""

from __future__ import annotations

from dataclasses import fields

from flask import abort, render_template

from desk.models import Case
from desk.services import cases
from desk.services.case_page import staff_case_page
from desk.services.errors import NotFound
from desk.web import attachments
from desk.web.auth.roles import current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm


def load_case(reference: str) -> Case:
    """The case if the signed-in staff member may view it; 404 otherwise."""
    try:
        return cases.get_case_for_staff(db_session(), current_actor(), reference)
    except NotFound:
        abort(404)


def render_case_page(
    case: Case,
    errors: dict[str, str] | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The case page with a form's errors and what was typed (kept when it failed)."""
    page = staff_case_page(db_session(), current_actor(), case)
    shown = {field.name: getattr(page, field.name) for field in fields(page)}
    return (
        render_template(
            "staff/case.html",
            form=CsrfForm(),
            errors=errors or {},
            values=values or {},
            attachment_limits=attachments.limits(),
            **shown,
        ),
        status,
    )
