"""Rate limits of the web pages' forms, with the app's one limiter (made by the API's
init_limits: memory per process, or Redis when REDIS_URL is set so that every web process
counts together). Shared by the feature packages, as none may import another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from flask import Blueprint, Flask, current_app, request
from flask.wrappers import Response
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address


def limit_form_posts(
    app: Flask,
    blueprint: Blueprint,
    endpoints: Collection[str],
    config_key: str,
    on_breach: Callable[[RequestLimit], Response | None] | None = None,
) -> None:
    """Limit the POSTs of some endpoints of a page blueprint per client address, with the
    app's one limiter (so in Redis when REDIS_URL is set, counted across every web process).

    config_key names the limit in configuration (e.g. PUBLIC_FORM_RATE_LIMIT); on_breach may
    answer the refused request itself (a page that keeps what was typed), else a 429 page.
    Used by the public forms; the portal's sign-in and magic-link requests can use it too.
    """
    limiter: Limiter | None = app.extensions.get("desk.limiter")
    if limiter is None:
        return
    wanted = frozenset(endpoints)

    def value() -> str:
        return str(current_app.config[config_key])

    def key() -> str:
        return f"form:{request.endpoint}:addr:{get_remote_address()}"

    limiter.limit(
        value,
        key_func=key,
        methods=["POST"],
        exempt_when=lambda: request.endpoint not in wanted,
        on_breach=on_breach,
        override_defaults=False,
    )(blueprint)


def retry_after() -> str:
    """Retry-After for the limit this request broke (whole seconds, at least 1)."""
    limiter: Limiter | None = current_app.extensions.get("desk.limiter")
    reset_at = None
    if limiter is not None and limiter.current_limit is not None:
        reset_at = limiter.current_limit.reset_at
    if reset_at is None:
        return "60"
    return str(max(1, int(reset_at - time.time())))
