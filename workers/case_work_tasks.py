"""The follow-up reminder task: thin over desk.services.case_work.remind_follow_ups."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from desk.db import session_scope
from desk.services import case_work

log = logging.getLogger(__name__)

FOLLOW_UPS = "desk.remind_follow_ups"


@shared_task(name=FOLLOW_UPS)
def remind_follow_ups() -> int:
    """Remind handlers of follow-up dates that have come; the emails go through the outbox."""
    with session_scope(current_app.extensions["desk.sessions"]) as session:
        sent = case_work.remind_follow_ups(session)
    if sent:
        log.info("Follow-up reminders: %d", sent)
    return sent
