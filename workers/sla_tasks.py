"""The SLA sweep task: thin over desk.services.sla.sweep, run by beat every minute."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from desk.db import session_scope
from desk.services import sla

log = logging.getLogger(__name__)

SWEEP = "desk.sweep_sla"


@shared_task(name=SWEEP)
def sweep_sla() -> int:
    """Record due SLA warnings, breaches and escalations; their emails go through the outbox."""
    config = current_app.config
    settings = sla.SweepSettings(
        batch_size=int(config["SLA_SWEEP_BATCH_SIZE"]),
        max_batches=int(config["SLA_SWEEP_MAX_BATCHES"]),
    )
    with session_scope(current_app.extensions["desk.sessions"]) as session:
        result = sla.sweep(session, settings)
    if result.events:
        log.info("SLA sweep: %d cases, events %s", result.cases, result.events)
    return len(result.events)
