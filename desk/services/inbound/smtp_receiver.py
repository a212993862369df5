"""The inbound SMTP/LMTP receiver (aiosmtpd): answers 250 only once the raw message is
committed; a database failure answers 451 so the sending server tries again later."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from desk.services.inbound.receive import store_raw

log = logging.getLogger(__name__)


class StoringHandler:
    """aiosmtpd handler: each message stored raw in the database before it is accepted."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _store(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> int:
        with self.sessions() as session:
            return store_raw(
                session, raw, via="smtp", envelope_from=mail_from, envelope_to=rcpt_tos
            ).id

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            stored = await loop.run_in_executor(
                None, self._store, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except Exception:
            log.exception("inbound message not stored; the sender will retry")
            return "451 4.3.0 Temporary failure, please try again later"
        return f"250 2.0.0 Stored as {stored}"


def port_or_free(host: str, port: int) -> int:
    """The port asked for, or a free one when it is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
            return port
        except OSError:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])


def start_receiver(
    sessions: sessionmaker[Session], host: str, port: int, max_bytes: int
) -> Controller:
    """Start the receiver in a background thread; call .stop() on the result."""
    controller = Controller(
        StoringHandler(sessions), hostname=host, port=port, data_size_limit=max_bytes
    )
    controller.start()
    return controller
