"""The role guard of staff and admin pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from desk.web.extensions import login_manager

STAFF = ("adviser", "manager", "admin")


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only signed-in users with one of the roles; others get 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
