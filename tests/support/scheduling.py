"""How `make test` shares the tests between its two xdist workers.

Like xdist's loadscope, a module's tests run in one worker, in their order (module fixtures
stay one per run; a test may build on the one before it). The browser tier is one unit, so
that one desk stack serves all of it. Units are handed out longest-waiting first: the
browser tier, then the tiers that mostly wait for processes and mail (they overlap well with
it on two cores), then the rest, whose many short modules even out the end.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScopeScheduling

BROWSER_TIER = "tests/e2e"
# Lower goes first; a tier not named here comes last.
_RANKS = {BROWSER_TIER: 0, "tests/integration": 1, "tests/workers": 1, "tests/bench": 2}
_SLOW_MODULES = {"tests/api/test_schemathesis.py": 2, "tests/cli/test_route_command.py": 2}
_LAST = 3


def _rank(scope: str) -> tuple[int, str]:
    tier = "/".join(scope.split("/")[:2])
    return (_SLOW_MODULES.get(scope, _RANKS.get(tier, _LAST)), scope)


class TierScheduling(LoadScopeScheduling):
    """Loadscope with the browser tier as one unit and the slow units handed out first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return BROWSER_TIER if module.startswith(BROWSER_TIER + "/") else module

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # the queue is complete when the first unit is handed out
            units = sorted(self.workqueue.items(), key=lambda unit: _rank(unit[0]))
            self.workqueue.clear()
            self.workqueue.update(units)
            self._ordered = True
        super()._assign_work_unit(node)
