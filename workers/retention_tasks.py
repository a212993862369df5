"""The retention task: thin over desk.services.retention.apply_retention."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from desk.db import session_scope
from desk.services import retention
from desk.services.attachment_storage import storage_from_config

log = logging.getLogger(__name__)

RETENTION = "desk.apply_retention"


@shared_task(name=RETENTION)
def apply_retention() -> dict[str, int]:
    """Anonymise finished cases past their period; the counts are logged and audited."""
    config = current_app.config
    with session_scope(current_app.extensions["desk.sessions"]) as session:
        run = retention.apply_retention(
            session, retention.Periods.from_config(config), storage_from_config(config)
        )
    log.info(
        "Retention: %d case(s) anonymised, %d attachment(s) removed, %d audit entries due",
        run.cases,
        run.attachments,
        run.audit_entries_due,
    )
    return {
        "cases": run.cases,
        "attachments": run.attachments,
        "audit_entries_due": run.audit_entries_due,
    }
