"""Development mail catcher: a real SMTP server (aiosmtpd) that files each message as .eml.

`make run` starts it so a newcomer sees the whole loop; admins read the mail on
/admin/dev/mail. Tests use the same server to read what the worker sent.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_NAME = re.compile(r"^[0-9]+-[0-9a-f]{32}\.eml$")


class FilingHandler:
    """aiosmtpd handler that writes each received message to a directory."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        tmp = self.directory / (name + ".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def start_catcher(directory: str | Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start the SMTP catcher in a background thread; call .stop() on the result."""
    controller = Controller(FilingHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMail:
    name: str
    sender: str
    to: str
    subject: str
    date: float
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return str(part.get_content()) if part is not None else ""


def _read(path: Path) -> CaughtMail:
    with path.open("rb") as fh:
        message = BytesParser(policy=policy.default).parse(fh)
    assert isinstance(message, EmailMessage)
    return CaughtMail(
        name=path.name,
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=int(path.name.split("-", 1)[0]) / 1e9,
        message=message,
    )


def list_caught(directory: str | Path, limit: int = 200) -> list[CaughtMail]:
    """Caught messages, newest first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    names = sorted((p for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)
    return [_read(path) for path in names[:limit]]


def read_caught(directory: str | Path, name: str) -> CaughtMail | None:
    """One caught message by file name (names are checked, so no path tricks)."""
    if not _NAME.match(name):
        return None
    path = Path(directory) / name
    return _read(path) if path.is_file() else None
