"""Staff password rules: long enough and not one of the most common passwords."""

from __future__ import annotations

from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200

# The most common passwords (bundled with the package); a password equal to one of them,
# ignoring case and spaces, is refused.
COMMON_PASSWORDS = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "common_passwords.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


def password_problem(password: str) -> str | None:
    """The error code of a new password (too_short, too_long, too_common), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded = "".join(password.split()).casefold()
    if folded in COMMON_PASSWORDS or len(set(folded)) <= 2:
        return "too_common"
    return None
