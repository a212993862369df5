"""Rate limits of the API (Flask-Limiter), announced with Retry-After on 429.

Counted per client: per API token when the bearer token is a live one, per address
otherwise (a made-up `Authorization: Bearer <random>` header must not buy a fresh
allowance). Every process of the instance counts together: in Redis when DESK_REDIS_URL is
set, else in a SQLite file (desk.rate_limit_store). Limits are configuration
(API_RATE_LIMIT, API_SUBMIT_RATE_LIMIT; Flask-Limiter's RATELIMIT_* keys also apply).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from desk import rate_limit_store
from desk.services import api_tokens
from desk.web.extensions import db_session

SUBMIT_ENDPOINT = "public_api.submit_case"


def client_key() -> str:
    """Who is counted: the live API token sent, else the client address."""
    if "rate_limit_client" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _sep, secret = header.partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = api_tokens.authenticate(db_session(), secret.strip())
        g.rate_limit_client = (
            f"token:{token.id}" if token is not None else f"addr:{get_remote_address()}"
        )
    key: str = g.rate_limit_client
    return key


def _submit_key() -> str:
    return "submit:" + client_key()


def storage_uri(config: dict[str, object]) -> str:
    """Redis when the desk has one, else the instance's SQLite file: either way every
    process counts together."""
    configured = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if configured:
        return configured
    redis_url = str(config.get("REDIS_URL") or "")
    return redis_url or rate_limit_store.uri_for(str(config["RATELIMIT_SQLITE_PATH"]))


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
