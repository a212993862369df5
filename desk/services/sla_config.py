"""config/sla.toml: business hours and the default policy per need, read into domain values."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk.config import PROJECT_ROOT
from desk.domain.business_calendar import DEFAULT_HOURS, WeeklyHours
from desk.domain.sla import DEFAULT_WARNING_PERCENT, Policy

# The file shipped with the desk: used when the database has no policy for a need yet (a
# database that `desk setup` has not loaded, e.g. in tests) and by `desk sla due`.
SHIPPED_FILE = PROJECT_ROOT / "config" / "sla.toml"


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


def read_sla_config(path: str | Path = SHIPPED_FILE) -> SlaConfig:
    """Read and check an SLA configuration file."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SlaConfigError(f"cannot read {path}: {exc}") from exc
    return parse_sla_config(data)


_shipped: dict[float, SlaConfig] = {}


def shipped_config() -> SlaConfig:
    """The shipped config/sla.toml (read on first use, again only when the file changes)."""
    mtime = SHIPPED_FILE.stat().st_mtime
    config = _shipped.get(mtime)
    if config is None:
        config = read_sla_config(SHIPPED_FILE)
        _shipped.clear()
        _shipped[mtime] = config
    return config
