"""A tier whose service is missing is skipped locally but fails when all tiers are required.

.ci/run sets DESK_REQUIRE_ALL_TIERS=1, so green CI means every tier really ran.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def strict() -> bool:
    """True when every tier must run (CI)."""
    return os.environ.get("DESK_REQUIRE_ALL_TIERS", "") not in ("", "0", "false")


def unavailable(reason: str) -> NoReturn:
    """Skip (locally) or fail (CI) because a required service or tool is missing."""
    if strict():
        pytest.fail(f"required test tier cannot run: {reason}", pytrace=False)
    pytest.skip(reason)
