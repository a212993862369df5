"""The integration tier: the desk's real processes (tests/support/processes.py), started and
stopped by the tests; receivers in tests/support/receivers.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.processes import (
    RUNNING,
    DeskProcesses,
    OwnRedis,
    desk_factory,
    redis_settings,
    require_redis,
)
from tests.support.services import free_port, temporary_redis_prefix
from tests.support.tiers import unavailable


@pytest.fixture
def make_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., DeskProcesses]]:
    """Desks for one test; their processes stop when the test ends."""
    with desk_factory(tmp_path_factory) as factory:
        yield factory


@pytest.fixture
def shared_redis() -> Iterator[dict[str, str]]:
    """The test Redis server under a key prefix of this test (deleted afterwards)."""
    require_redis()
    with temporary_redis_prefix() as prefix:
        yield redis_settings(prefix)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A private redis-server on a free port, started; stopped at the end whatever happened."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    server = OwnRedis(port=free_port(), root=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, attach the tails of the processes' logs."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for desk in RUNNING:
            report.sections.append((f"desk process logs ({desk.root.name})", desk.tails()))
