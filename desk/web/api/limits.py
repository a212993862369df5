"""Rate limits of the API (Flask-Limiter), announced with Retry-After on 429.

Counted per client: per API token for staff requests, per address otherwise. Storage is
in memory (per process) by default and Redis when DESK_REDIS_URL is set, so that all web
processes count together. Limits are configuration (API_RATE_LIMIT, API_SUBMIT_RATE_LIMIT;
Flask-Limiter's RATELIMIT_* keys also apply).
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

SUBMIT_ENDPOINT = "public_api.submit_case"


def client_key() -> str:
    """Who is counted: the API token (hashed) when one is sent, else the client address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
        return f"token:{digest}"
    return f"addr:{get_remote_address()}"


def _submit_key() -> str:
    return "submit:" + client_key()


def storage_uri(config: dict[str, object]) -> str:
    """Redis when the desk has one (all processes count together), else memory."""
    configured = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if configured:
        return configured
    redis_url = str(config.get("REDIS_URL") or "")
    return redis_url or "memory://"


def init_limits(
    app: Flask, public_bp: Blueprint, staff_bp: Blueprint, *others: Blueprint
) -> Limiter:
    """A limiter for this app: the general API limit and the stricter one for submissions."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", f"{app.config.get('REDIS_KEY_PREFIX', '')}rl")
    limiter = Limiter(
        key_func=client_key,
        app=app,
        storage_uri=storage_uri(app.config),
        strategy="fixed-window",
        headers_enabled=False,
        # Redis down must not turn away an employer's request (the outbox holds its email
        # until the broker is back): count in this process's memory meanwhile, and should
        # even that fail, let the request through rather than answer 500.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )

    def general() -> str:
        return str(current_app.config["API_RATE_LIMIT"])

    def submit() -> str:
        return str(current_app.config["API_SUBMIT_RATE_LIMIT"])

    for blueprint in (public_bp, staff_bp, *others):
        limiter.limit(general)(blueprint)
    limiter.limit(
        submit,
        key_func=_submit_key,
        exempt_when=lambda: request.endpoint != SUBMIT_ENDPOINT,
    )(public_bp)
    app.extensions["desk.limiter"] = limiter
    return limiter


def seconds_to_wait() -> str:
    """Retry-After for the limit this request broke (whole seconds, at least 1)."""
    limiter: Limiter | None = current_app.extensions.get("desk.limiter")
    reset_at = None
    if limiter is not None and limiter.current_limit is not None:
        reset_at = limiter.current_limit.reset_at
    if reset_at is None:
        return "60"
    return str(max(1, int(reset_at - time.time())))
