"""Application factory: config -> db -> login -> i18n -> celery -> blueprints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from desk import observability
from desk.config import PROJECT_ROOT, load_config, session_settings
from desk.db import make_engine, make_session_factory
from desk.queue import celery_init_app
from desk.web import extensions, i18n, metrics, register_blueprints, security_headers


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the desk's Flask app; all configuration is read here, never at import time."""
    app = Flask(
        "desk",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "desk" / "static"),
    )
    config = load_config(overrides)
    observability.configure_logging(str(config["LOG_FORMAT"]), str(config["LOG_LEVEL"]))
    app.config.update(config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["ENV"] == "production",
        MAX_CONTENT_LENGTH=256 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # a long form must not expire while the employer types
    )

    engine = make_engine(config["DATABASE_URL"])
    app.extensions["desk.engine"] = engine
    app.extensions["desk.sessions"] = make_session_factory(engine, session_settings(config))

    metrics.init_app(app)  # first: every request gets its id before anything logs
    extensions.init_app(app)  # the request's session, CSRF, sign-in
    i18n.init_i18n(app)
    security_headers.init_app(app)
    celery_init_app(app)

    register_blueprints(app)
    _trust_proxy(app, config)
    return app


def _trust_proxy(app: Flask, config: Mapping[str, Any]) -> None:
    """Behind nginx: take the client's address, scheme and host from X-Forwarded-* headers,
    trusting as many proxies as configured (PROXY_FIX_X_*; 0 = the header is ignored)."""
    counts = {
        name: int(config[f"PROXY_FIX_X_{name.upper()}"])
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=counts["for"],
            x_proto=counts["proto"],
            x_host=counts["host"],
            x_port=counts["port"],
            x_prefix=counts["prefix"],
        )
