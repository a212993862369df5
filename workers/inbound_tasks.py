"""The email channel's tasks: process received mail, poll an IMAP mailbox (beat)."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from desk.db import session_scope
from desk.services.attachment_storage import storage_from_config
from desk.services.inbound import imap, process
from desk.services.inbound.settings import InboundSettings

PROCESS = "desk.process_inbound"
POLL_IMAP = "desk.poll_imap"


@shared_task(name=PROCESS)
def process_inbound() -> int:
    """Parse and process the stored messages still `received` (idempotent by their status)."""
    config = current_app.config
    with session_scope(current_app.extensions["desk.sessions"]) as session:
        return process.process_pending(
            session, InboundSettings.from_config(config), storage_from_config(config)
        )


@shared_task(name=POLL_IMAP)
def poll_imap() -> int:
    """Store the IMAP mailbox's new messages (nothing when IMAP_HOST is empty)."""
    config = current_app.config
    if not config.get("IMAP_HOST"):
        return 0
    with session_scope(current_app.extensions["desk.sessions"]) as session:
        return imap.poll(session, imap.ImapSettings.from_config(config), imap.connect)
