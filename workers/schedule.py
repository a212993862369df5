"""Periodic jobs declared as data; beat sends them, the worker runs them."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from workers.case_work_tasks import FOLLOW_UPS
from workers.inbound_tasks import POLL_IMAP, PROCESS
from workers.retention_tasks import RETENTION
from workers.sla_tasks import SWEEP
from workers.tasks import DIGEST, RELAY


def beat_schedule(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The beat schedule for this configuration."""
    schedule = {
        # Every day at DIGEST_HOUR:DIGEST_MINUTE (config/default.toml: 08:00) in Celery's
        # timezone (Europe/Helsinki, see desk.queue); the task itself sends nothing on a day
        # the business calendar is closed (weekends, Finnish public holidays, closure days).
        "daily-digest": {
            "task": DIGEST,
            "schedule": crontab(
                hour=int(config["DIGEST_HOUR"]), minute=int(config["DIGEST_MINUTE"])
            ),
            # A digest stuck in the broker for hours is no longer "this morning's".
            "options": {"expires": 3 * 3600},
        },
        "relay-outbox": {
            "task": RELAY,
            "schedule": float(config["OUTBOX_RELAY_SECONDS"]),
            # A relay that has not started within its own interval is superseded by the next.
            "options": {"expires": float(config["OUTBOX_RELAY_SECONDS"]) * 5},
        },
        "sweep-sla": {
            "task": SWEEP,
            "schedule": float(config["SLA_SWEEP_SECONDS"]),
            # A sweep stuck in the broker is dropped after a few intervals: a later one does
            # its work (sweeps are idempotent and safe to overlap).
            "options": {"expires": float(config["SLA_SWEEP_SECONDS"]) * 5},
        },
        "remind-follow-ups": {
            "task": FOLLOW_UPS,
            "schedule": float(config["FOLLOW_UP_SWEEP_SECONDS"]),
            # Idempotent like the SLA sweep: a stale run is dropped, the next one catches up.
            "options": {"expires": float(config["FOLLOW_UP_SWEEP_SECONDS"]) * 5},
        },
        # Retention (RETENTION_* settings): daily; a missed run is caught up by the next.
        "apply-retention": {
            "task": RETENTION,
            "schedule": float(config["RETENTION_SWEEP_SECONDS"]),
            "options": {"expires": float(config["RETENTION_SWEEP_SECONDS"])},
        },
    }
    # The email channel: stored messages are parsed within seconds; IMAP only when set up.
    schedule["process-inbound"] = {
        "task": PROCESS,
        "schedule": float(config["INBOUND_PROCESS_SECONDS"]),
        "options": {"expires": float(config["INBOUND_PROCESS_SECONDS"]) * 5},
    }
    if config.get("IMAP_HOST"):
        schedule["poll-imap"] = {
            "task": POLL_IMAP,
            "schedule": float(config["IMAP_POLL_SECONDS"]),
            "options": {"expires": float(config["IMAP_POLL_SECONDS"]) * 2},
        }
    return schedule
