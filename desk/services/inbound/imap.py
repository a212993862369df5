"""Polling an IMAP mailbox (imap-tools): each unseen message stored raw, then flagged seen.

Stored first, flagged after the commit: a crash in between fetches the message again on the
next poll, and its Message-ID makes the second copy a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from desk.services.inbound.receive import store_raw


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    security: str = "ssl"  # ssl | none
    username: str = ""
    password: str = ""
    folder: str = "INBOX"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImapSettings:
        """The IMAP_* keys of the configuration."""
        return cls(
            host=str(config["IMAP_HOST"]),
            port=int(config.get("IMAP_PORT", 993)),
            security=str(config.get("IMAP_SECURITY", "ssl")),
            username=str(config.get("IMAP_USERNAME", "")),
            password=str(config.get("IMAP_PASSWORD", "")),
            folder=str(config.get("IMAP_FOLDER", "INBOX")),
        )


class Mailbox(Protocol):
    """The imap-tools calls the poll uses (a MailBox after login)."""

    def fetch(self, criteria: Any = ..., *args: Any, **kwargs: Any) -> Iterable[Any]: ...
    def flag(self, uid_list: Any, flag_set: Any, value: bool, *args: Any) -> Any: ...
    def logout(self) -> Any: ...


def connect(settings: ImapSettings) -> Mailbox:
    """A logged-in imap-tools mailbox on the configured folder."""
    from imap_tools import MailBox, MailBoxUnencrypted

    cls = MailBoxUnencrypted if settings.security == "none" else MailBox
    box: Mailbox = cls(settings.host, settings.port).login(
        settings.username, settings.password, settings.folder
    )
    return box


def poll(
    session: Session, settings: ImapSettings, connect: Callable[[ImapSettings], Mailbox]
) -> int:
    """Store every unseen message and flag it seen; returns how many were new."""
    from imap_tools import AND, MailMessageFlags

    box = connect(settings)
    new = 0
    try:
        for message in box.fetch(AND(seen=False), mark_seen=False, bulk=False):
            stored = store_raw(
                session,
                bytes(message.obj),
                via="imap",
                envelope_to=[settings.username] if "@" in settings.username else [],
            )
            new += stored.new
            if message.uid:
                box.flag(message.uid, MailMessageFlags.SEEN, True)
    finally:
        box.logout()
    return new
