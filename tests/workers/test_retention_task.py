"""The retention task: thin over the service, its counts returned and logged, daily in beat."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from desk.config import load_config
from desk.services import cases
from tests.conftest import TEST_ENVIRON, raw_submission
from workers.retention_tasks import apply_retention
from workers.schedule import beat_schedule


def test_the_task_anonymises_old_closed_cases_and_logs_the_counts(app, app_session, caplog) -> None:
    case = cases.submit_case(app_session, raw_submission(), now=datetime(2023, 1, 9, 9, tzinfo=UTC))
    case.status = "closed"
    case.resolved_at = case.closed_at = datetime(2023, 2, 1, tzinfo=UTC)
    app_session.commit()
    with app.app_context(), caplog.at_level(logging.INFO, logger="workers.retention_tasks"):
        first = apply_retention.run()
        again = apply_retention.run()
    assert first["cases"] == 1 and again["cases"] == 0
    assert "Retention: 1 case(s) anonymised" in caplog.text
    app_session.expire_all()
    assert case.contact_name == "[anonymised]"


def test_beat_runs_it_at_the_configured_interval() -> None:
    config = load_config(environ={**TEST_ENVIRON, "DESK_RETENTION_SWEEP_SECONDS": "3600"})
    entry = beat_schedule(config)["apply-retention"]
    assert entry["task"] == "desk.apply_retention" and entry["schedule"] == 3600.0
