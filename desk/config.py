"""Configuration: config/default.toml -> $DESK_CONFIG_FILE -> DESK_* environment -> overrides.

Nothing here runs at import time; create_app() calls load_config().
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "default.toml"
ENV_PREFIX = "DESK_"
# Configuration keys that services read from their session (session.info), never the Flask
# config: make_session_factory(engine, session_settings(config)) puts them there.
SESSION_SETTINGS = (
    "SLA_CONFIG_FILE",
    "WEBHOOK_ALLOW_HOSTS",
    "SIGN_IN_LOCKOUT_AFTER",
    "SIGN_IN_LOCKOUT_MINUTES",
)
# Only these modes run without DESK_SECRET_KEY; any other value of DESK_ENV is production.
RELAXED_MODES = ("development", "test")
MIN_SECRET_LENGTH = 32


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
        "SECRET_KEY_FILE",
        "RATELIMIT_SQLITE_PATH",
    ):
        path = Path(str(config[key]))
        if not path.is_absolute():
            config[key] = str(PROJECT_ROOT / path)


def environment_mode(raw: object) -> str:
    """development or test when explicitly so (any case, spaces ignored), else production."""
    mode = str(raw or "").strip().lower()
    return mode if mode in RELAXED_MODES else "production"


def _check(config: dict[str, Any]) -> None:
    """Fail closed: production without a real secret key refuses to start, and says why."""
    config["ENV"] = environment_mode(config.get("ENV"))
    secret = str(config.get("SECRET_KEY") or "")
    if config["ENV"] == "production":
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "Production mode needs DESK_SECRET_KEY: set it in the environment to a random "
                "value of at least 32 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`). Sessions and CSRF tokens are signed with "
                "it. Only DESK_ENV=development (or test) runs without one."
            )
        config["DEV_MAIL_PAGE"] = False
    elif not secret:
        config["SECRET_KEY"] = instance_secret(Path(str(config["SECRET_KEY_FILE"])))


def instance_secret(path: Path) -> str:
    """This instance's random development key: made once, kept in the file (mode 0600).

    Every process of one instance (gunicorn workers, Celery) reads the same file; the first
    to come links its freshly written key into place, atomically, and the others read it.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process of this instance was first: use its key
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{path} holds no usable secret key: delete it to make a new one")
    return secret


def session_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The plain values of the configuration that every database session carries."""
    return {key: config[key] for key in SESSION_SETTINGS}


def broker_url(config: Mapping[str, Any]) -> str:
    """Redis when configured, else kombu's SQLAlchemy transport on a SQLite file."""
    if config.get("REDIS_URL"):
        return str(config["REDIS_URL"])
    return "sqla+sqlite:///" + str(config["BROKER_SQLITE_PATH"])
