"""The access log for managers and administrators: a case's or a person's entries, newest
first, 50 a page (keyset on the entry id). Reading the log is itself on record."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from desk.models import AuditEntry
from desk.services import audit
from desk.web.auth.roles import current_actor, reports_required
from desk.web.extensions import db_session

bp = Blueprint("audit_log", __name__)

PAGE = 50
_LIMIT = 254


@bp.get("/reports/audit")
@reports_required
def page() -> tuple[str, int]:
    reference = request.args.get("case", "").strip()
    person = request.args.get("person", "").strip()
    before_text = request.args.get("before", "")
    errors: dict[str, str] = {}
    before = int(before_text) if before_text.isdigit() and len(before_text) < 12 else None
    if before_text and before is None:
        errors["before"] = _("The link to older entries is broken. Search again.")
    if reference and person:
        errors["case"] = _("Search by a case or by a person, not both.")
    for name, value in (("case", reference), ("person", person)):
        if len(value) > _LIMIT:
            errors[name] = _("Shorten this to %(max)s characters or fewer.", max=_LIMIT)
    entries: list[AuditEntry] | None = None
    if not errors and (reference or person):
        session = db_session()
        actor = current_actor()
        if reference:
            entries = audit.for_case(session, reference, before, PAGE + 1)
            target = audit.Target("case", reference)
        else:
            entries = audit.for_person(session, person, before, PAGE + 1)
            target = audit.Target("person", person.lower(), person.lower())
        audit.log(session, actor, audit.Action.AUDIT_QUERY, target, {"before": before})
    more = entries is not None and len(entries) > PAGE
    shown = entries[:PAGE] if entries is not None else None
    page_html = render_template(
        "reports/audit.html",
        values={"case": reference, "person": person},
        errors=errors,
        labels={"case": _("Case reference"), "person": _("Email of a person")},
        entries=shown,
        next_before=shown[-1].id if more and shown else None,
    )
    return page_html, 400 if errors else 200
