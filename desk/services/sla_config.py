"""The SLA configuration file (SLA_CONFIG_FILE, config/sla.toml by default): business hours and
the default policy per need, read into domain values.

`desk setup` stores its hours and policies in the database. At run time the configured file
still answers what the database lacks (a need without a stored policy, an authority without
stored hours); services find the file through their session (desk.config.session_settings),
so the one configured through create_app is the one used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desk.domain.business_calendar import DEFAULT_HOURS, WeeklyHours
from desk.domain.sla import DEFAULT_WARNING_PERCENT, Policy

# The session.info key that names the configured file (a key of desk.config.SESSION_SETTINGS).
SESSION_KEY = "SLA_CONFIG_FILE"


class SlaConfigError(ValueError):
    """The SLA configuration file cannot be used; the message says why."""


@dataclass(frozen=True)
class SlaConfig:
    """Everything config/sla.toml says."""

    hours: WeeklyHours = DEFAULT_HOURS
    authority_hours: dict[str, WeeklyHours] = field(default_factory=dict)
    # (need code, priority) -> policy; priority "" applies to any priority.
    policies: dict[tuple[str, str], Policy] = field(default_factory=dict)

    def hours_for(self, authority: str) -> WeeklyHours:
        """The authority's own hours, else the default hours."""
        return self.authority_hours.get(authority, self.hours)

    def policy_for(self, need: str, priority: str = "") -> Policy | None:
        """The default policy for the need (and priority), or None if the file has none."""
        return self.policies.get((need, priority)) or self.policies.get((need, ""))


def parse_sla_config(data: dict[str, Any]) -> SlaConfig:
    """Build the configuration from parsed TOML, checking every value."""
    try:
        calendar = data.get("calendar", {})
        hours = WeeklyHours.parse(calendar["hours"]) if "hours" in calendar else DEFAULT_HOURS
        authority_hours = {
            slug: WeeklyHours.parse(section["hours"])
            for slug, section in calendar.get("authorities", {}).items()
        }
        warning = int(data.get("defaults", {}).get("warning_percent", DEFAULT_WARNING_PERCENT))
        policies: dict[tuple[str, str], Policy] = {}
        for entry in data.get("policies", []):
            policy = Policy(
                first_response_minutes=int(entry["first_response_minutes"]),
                resolution_minutes=int(entry["resolution_minutes"]),
                warning_percent=int(entry.get("warning_percent", warning)),
            )
            for need in entry["needs"]:
                policies[(str(need), str(entry.get("priority", "")))] = policy
    except (KeyError, TypeError, ValueError) as exc:
        raise SlaConfigError(f"SLA configuration: {exc}") from exc
    return SlaConfig(hours, authority_hours, policies)


def read_sla_config(path: str | Path) -> SlaConfig:
    """Read and check an SLA configuration file."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SlaConfigError(f"cannot read {path}: {exc}") from exc
    return parse_sla_config(data)


# (path, modification time) -> its configuration; a handful of files at most (tests).
_read: dict[tuple[str, float], SlaConfig] = {}


def cached_sla_config(path: str | Path) -> SlaConfig:
    """The file's configuration, read on first use and again only when the file changes."""
    try:
        key = (str(path), Path(path).stat().st_mtime)
    except OSError as exc:
        raise SlaConfigError(f"cannot read {path}: {exc}") from exc
    config = _read.get(key)
    if config is None:
        config = read_sla_config(path)
        for old in [k for k in _read if k[0] == key[0]]:
            del _read[old]
        _read[key] = config
    return config


def configured_sla_config(session: Session) -> SlaConfig:
    """The configuration of the SLA_CONFIG_FILE that the session's factory was given."""
    path = session.info.get(SESSION_KEY)
    if not path:
        raise SlaConfigError(
            "this database session carries no SLA_CONFIG_FILE: make its factory with "
            "make_session_factory(engine, desk.config.session_settings(config))"
        )
    return cached_sla_config(str(path))
