"""Who is acting in a request, and the guards of staff and admin pages.

The guards ask the one access policy (desk.services.access), so a page, the API and the
services agree on who is staff and who administers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user

from desk.services import access
from desk.services.access import Actor, Channel
from desk.web.extensions import login_manager

View = Callable[..., Any]


def current_actor() -> Actor:
    """The request's actor: the signed-in staff member, else an employer (the public pages)."""
    client = request.remote_addr
    if current_user.is_authenticated:
        return Actor.staff(current_user._get_current_object(), Channel.WEB, client)
    return Actor.employer(Channel.WEB, client)


def _guard(allowed: Callable[[Actor], bool]) -> Callable[[View], View]:
    """Only signed-in staff whom the policy allows; visitors sign in first, others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(current_actor()):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = _guard(access.is_staff)
admin_required = _guard(access.is_admin)
# The steering report and the exports: managers and admins (access.can_read_reports).
reports_required = _guard(access.can_read_reports)
# The dashboard alone: also advisers, narrowed to their own teams (access.report_team_ids).
team_reports_required = _guard(access.can_read_team_reports)
