"""Every change an administrator makes is on record (Act 906/2019): one hook on the admin
blueprints, so a new admin action cannot forget it."""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.wrappers import Response

from desk.services import audit
from desk.web.auth.roles import current_actor
from desk.web.extensions import db_session

# Form fields whose values never go into the log (secrets shown once, passwords).
_SECRET_WORDS = ("secret", "token", "password", "csrf")


def _record_change(response: Response) -> Response:
    if request.method != "POST" or response.status_code >= 400 or request.endpoint is None:
        return response
    form = {
        name: ("…" if any(word in name for word in _SECRET_WORDS) else value[:200])
        for name, value in request.form.items()
    }
    audit.log(
        db_session(),
        current_actor(),
        audit.Action.CONFIG_CHANGE,
        audit.Target("endpoint", request.endpoint),
        {"path": request.path, "args": dict(request.view_args or {}), "form": form},
    )
    return response


def watch(blueprint: Blueprint) -> Blueprint:
    """Record every successful POST of the blueprint (once: every create_app asks again)."""
    if _record_change not in blueprint.after_request_funcs.get(None, []):
        blueprint.after_request(_record_change)
    return blueprint
