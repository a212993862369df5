"""How tasks are sent and scheduled.

Nothing hands a task to the broker inside an open transaction: the only place that sends
tasks is the outbox relay, after outbox.claim_due has committed (services cannot import
Celery at all: import-linter). A scan of the source keeps it so. The daily digest runs at
08:00 Helsinki time."""

from __future__ import annotations

import ast
from pathlib import Path

from desk.config import PROJECT_ROOT
from tests.conftest import TEST_ENVIRON

SENDERS = {"delay", "apply_async", "send_task"}


def _task_sends(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every .delay / .apply_async / .send_task call."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else function
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in SENDERS
            ):
                found.append((name, child.lineno))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_only_the_relay_sends_tasks() -> None:
    sends = {
        str(path.relative_to(PROJECT_ROOT)): _task_sends(path)
        for folder in ("desk", "workers")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
    }
    sends = {path: calls for path, calls in sends.items() if calls}
    assert list(sends) == ["workers/tasks.py"]
    assert {function for function, _line in sends["workers/tasks.py"]} == {"relay_outbox"}


def test_the_daily_digest_is_scheduled_at_eight_helsinki_time() -> None:
    from celery.schedules import crontab

    from desk.config import load_config
    from desk.queue import celery_config
    from workers.schedule import beat_schedule

    config = load_config(environ={"DESK_ENV": "test"})
    entry = beat_schedule(config)["daily-digest"]
    assert entry["task"] == "desk.send_daily_digests"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_week == set(range(7))  # the task checks business days
    assert celery_config(config)["timezone"] == "Europe/Helsinki"


def test_the_digest_time_comes_from_the_configuration() -> None:
    from desk.config import load_config
    from workers.schedule import beat_schedule

    config = load_config(
        environ={"DESK_ENV": "test", "DESK_DIGEST_HOUR": "7", "DESK_DIGEST_MINUTE": "45"}
    )
    schedule = beat_schedule(config)["daily-digest"]["schedule"]
    assert schedule.hour == {7} and schedule.minute == {45}


def test_beat_sends_only_tasks_that_exist() -> None:
    from celery import Celery

    import workers.case_work_tasks
    import workers.inbound_tasks
    import workers.retention_tasks
    import workers.sla_tasks
    import workers.tasks  # noqa: F401  (registers the tasks)
    from desk.config import load_config
    from workers.schedule import beat_schedule

    names = {
        entry["task"] for entry in beat_schedule(load_config(environ={"DESK_ENV": "test"})).values()
    }
    assert names == {
        "desk.send_daily_digests",
        "desk.relay_outbox",
        "desk.sweep_sla",
        "desk.remind_follow_ups",
        "desk.process_inbound",
        "desk.apply_retention",
    }
    # IMAP is polled only when a mailbox is configured.
    imap = beat_schedule(load_config(environ={**TEST_ENVIRON, "DESK_IMAP_HOST": "imap.example.fi"}))
    assert imap["poll-imap"]["task"] == "desk.poll_imap"
    # A Celery app of its own (not the default one): shared tasks register with every app.
    assert names <= set(Celery("wiring-test", set_as_current=False).tasks)
