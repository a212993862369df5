"""Human-readable, year-scoped case references such as TP-2026-000042."""

import re

PREFIX = "TP"
_PATTERN = re.compile(r"^TP-(\d{4})-(\d{6})$")


def format_reference(year: int, number: int) -> str:
    """Format the number-th case of the year."""
    if number < 1 or number > 999_999:
        raise ValueError("case number out of range")
    return f"{PREFIX}-{year:04d}-{number:06d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """Return (year, number) of a reference, or None if it is not one."""
    match = _PATTERN.match(text.strip().upper())
    return (int(match.group(1)), int(match.group(2))) if match else None
