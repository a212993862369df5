"""Configuration: config/default.toml -> $DESK_CONFIG_FILE -> DESK_* environment -> overrides.

Nothing here runs at import time; create_app() calls load_config().
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "default.toml"
ENV_PREFIX = "DESK_"
# Configuration keys that services read from their session (session.info), never the Flask
# config: make_session_factory(engine, session_settings(config)) puts them there.
SESSION_SETTINGS = ("SLA_CONFIG_FILE",)


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says why."""


def _coerce(raw: str, current: Any) -> Any:
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(current, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, list):
        return (
            json.loads(raw) if raw.strip().startswith("[") else [p.strip() for p in raw.split(",")]
        )
    return raw


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge the configuration layers and check it can be used."""
    env = os.environ if environ is None else environ
    with DEFAULT_CONFIG_FILE.open("rb") as fh:
        config: dict[str, Any] = tomllib.load(fh)
    extra = env.get("DESK_CONFIG_FILE")
    if extra:
        with Path(extra).open("rb") as fh:
            config.update(tomllib.load(fh))
    for name, raw in env.items():
        if name.startswith(ENV_PREFIX) and name != "DESK_CONFIG_FILE":
            key = name[len(ENV_PREFIX) :]
            config[key] = _coerce(raw, config.get(key, ""))
    config.update(overrides or {})
    _resolve_paths(config)
    _check(config)
    return config


def _resolve_paths(config: dict[str, Any]) -> None:
    """Relative paths in the defaults are relative to the project, not the working directory."""
    url = str(config["DATABASE_URL"])
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        config["DATABASE_URL"] = prefix + str(PROJECT_ROOT / url[len(prefix) :])
    for key in (
        "BROKER_SQLITE_PATH",
        "MAILCATCHER_DIR",
        "REFERENCE_DATA_FILE",
        "DEMO_USERS_FILE",
        "SLA_CONFIG_FILE",
        "ROUTING_RULES_FILE",
        "ATTACHMENTS_DIR",
    ):
        path = Path(str(config[key]))
        if not path.is_absolute():
            config[key] = str(PROJECT_ROOT / path)


def _check(config: dict[str, Any]) -> None:
    """Refuse production without a real secret key, and say why."""
    if config.get("ENV") == "production":
        secret = str(config.get("SECRET_KEY") or "")
        if not secret or secret == "dev-only-not-secret" or len(secret) < 32:
            raise ConfigError(
                "Production mode needs DESK_SECRET_KEY: set it in the environment to a random "
                "value of at least 32 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`). Sessions and CSRF tokens are signed with it."
            )
        config["DEV_MAIL_PAGE"] = False


def session_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The plain values of the configuration that every database session carries."""
    return {key: config[key] for key in SESSION_SETTINGS}


def broker_url(config: Mapping[str, Any]) -> str:
    """Redis when configured, else kombu's SQLAlchemy transport on a SQLite file."""
    if config.get("REDIS_URL"):
        return str(config["REDIS_URL"])
    return "sqla+sqlite:///" + str(config["BROKER_SQLITE_PATH"])
