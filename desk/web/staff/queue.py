"""The adviser's queues at /staff/: a queue a page at a time, its filters and sort in the URL.

/staff/ opens the `next` queue (the open cases of the adviser's teams, nearest due first);
/staff/queues/<name> the others (mine, unassigned, team/<slug>, watching, authority, done).
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk.domain.case_status import CaseStatus
from desk.domain.languages import LANGUAGES
from desk.domain.queues import CaseSlaState, QueueKind, Sort, queue_statuses, sla_state
from desk.models import utcnow
from desk.services import queues
from desk.services.errors import Forbidden, NotFound
from desk.services.reference_data import snapshot
from desk.services.team_cases import OUTSIDE, InvalidFilter
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.staff.views import bp

QUEUE_TITLES = {
    QueueKind.NEXT: _l("Team queue"),
    QueueKind.MINE: _l("My cases"),
    QueueKind.UNASSIGNED: _l("Unassigned in my teams"),
    QueueKind.WATCHING: _l("Cases you follow or collaborate on"),
    QueueKind.AUTHORITY: _l("All open cases of my authority"),
    QueueKind.DONE: _l("Resolved and closed"),
}
SORT_LABELS = {
    Sort.DUE: _l("Nearest due time first"),
    Sort.RECEIVED: _l("Oldest first"),
    Sort.ACTIVITY: _l("Latest activity first"),
}
FILTER_LABELS = {
    "need": _l("Need"),
    "municipality": _l("Municipality"),
    "status": _l("Status"),
    "sla": _l("Service level"),
    "language": _l("Language"),
    "assignee": _l("Assignee"),
    "received_from": _l("Received from"),
    "received_to": _l("Received until"),
}
FILTER_ERRORS = {
    "need": _l("Choose a need from the list."),
    "municipality": _l("Choose a municipality from the list."),
    "status": _l("Choose the statuses from the list."),
    "sla": _l("Choose the service level states from the list."),
    "language": _l("Choose a language from the list."),
    "assignee": _l("Choose an assignee from the list."),
    "received_from": _l("Enter the first received date as a date, for example 2026-12-01."),
    "received_to": _l("Enter the last received date as a date, for example 2026-12-31."),
    "sort": _l("Choose an order from the list."),
    "cursor": _l("The page link is not valid. Start again from the first page."),
    "limit": _l("The page size is not valid."),
}
BEFORE_FROM = _l("The last received date must be the same as or after the first.")
# Text and an icon for each state, so no state is told by colour alone.
SLA_ICONS = {
    CaseSlaState.BREACHED: "✖",
    CaseSlaState.AT_RISK: "⚠",
    CaseSlaState.PAUSED: "‖",  # (U+23F8 is missing from common fonts)
    CaseSlaState.ON_TRACK: "✓",
}


def _messages(errors: dict[str, str]) -> dict[str, str]:
    messages = {}
    for field, code in errors.items():
        if field == "received_to" and code == "before_from":
            messages[field] = str(BEFORE_FROM)
        else:
            messages[field] = str(FILTER_ERRORS.get(field, _l("Check this filter.")))
    return messages


@bp.get("/", defaults={"name": "next"})
@bp.get("/queues/<path:name>")
@staff_required
def queue(name: str) -> tuple[str, int]:
    session, actor = db_session(), current_actor()
    try:
        chosen = queues.open_queue(session, actor, name)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    args = request.args.to_dict(flat=False)
    filters, errors = queues.read_filters(args)
    sort = queues.read_sort(None, chosen)
    page = None
    try:
        sort = queues.read_sort(request.args.get("sort"), chosen)
        # Run even with errors already found, so the summary names every bad filter at once.
        page = queues.list_queue(
            session, actor, chosen, filters, sort, request.args.get("after"), now=utcnow()
        )
    except InvalidFilter as exc:
        errors |= exc.errors
    if errors:
        page = None
    reference = snapshot(session)
    context: dict[str, Any] = {
        "queue": chosen,
        "queue_titles": QUEUE_TITLES,
        "title": chosen.team.name(str(current_language()))
        if chosen.team is not None
        else QUEUE_TITLES[chosen.name.kind],
        "counts": queues.queue_counts(session, actor),
        "page": page,
        "sort": sort,
        "sorts": SORT_LABELS,
        "now": utcnow(),
        "sla_state": sla_state,
        "sla_icons": SLA_ICONS,
        "errors": _messages(errors),
        "labels": FILTER_LABELS,
        "values": {key: [v for v in vals if v] for key, vals in args.items()},
        "needs": list(reference.needs.values()),
        "municipalities": sorted(reference.municipalities.values(), key=lambda m: m.name_fi),
        "outside": OUTSIDE,
        "statuses": [s for s in CaseStatus if s in queue_statuses(chosen.name.kind)],
        "sla_states": list(CaseSlaState),
        "languages": LANGUAGES,
        "assignees": queues.assignee_choices(session, actor),
        "teams": current_user.teams,
        "filter_args": {
            key: vals for key, vals in args.items() if key in queues.FILTER_FIELDS and any(vals)
        },
    }
    return render_template("staff/queue.html", **context), 400 if errors else 200


def current_language() -> str:
    """The page's language (Flask-Babel's locale)."""
    from flask_babel import get_locale

    return str(get_locale() or "fi")
