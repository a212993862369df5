"""Real receivers the integration tests start: an SMTP server (aiosmtpd) that can be slow to
answer, and an HTTP server on 127.0.0.1 that takes, fails or stalls webhook calls."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from desk.services.mailcatcher import FilingHandler


class SlowSmtpHandler(FilingHandler):
    """Files every message; the first RCPT of the session can be answered only after a delay
    (the test kills the sending worker while it waits, before any message data was sent)."""

    def __init__(self, directory: Path, first_rcpt_delay: float = 0.0) -> None:
        super().__init__(directory)
        self.first_rcpt_delay = first_rcpt_delay
        self.rcpt_waiting = threading.Event()
        self._delayed = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.first_rcpt_delay and not self._delayed:
            self._delayed = True
            self.rcpt_waiting.set()
            await asyncio.sleep(self.first_rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def start_smtp(directory: Path, port: int, first_rcpt_delay: float = 0.0) -> Controller:
    """An aiosmtpd server on 127.0.0.1:port filing into directory; .stop() it."""
    handler = SlowSmtpHandler(directory, first_rcpt_delay)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def mailbox(directory: Path) -> list[EmailMessage]:
    """Every message the SMTP server filed, oldest first."""
    files = sorted(directory.glob("*.eml")) if directory.is_dir() else []
    parsed = []
    for path in files:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        parsed.append(message)
    return parsed


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class WebhookReceiver:
    """POST /ok answers 204, /fail 500, /slow answers after `slow_seconds`, a path set in
    `statuses` that status; all calls are recorded."""

    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    slow_seconds: float = 2.0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def calls_to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_webhook_receiver() -> WebhookReceiver:
    """An HTTP server on a free port of 127.0.0.1, serving in a thread."""
    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.calls.append(Call(self.path, dict(self.headers.items()), body, time.time()))
            if self.path in receiver.statuses:
                self.send_response(receiver.statuses[self.path])
            elif self.path == "/fail":
                self.send_response(500)
            elif self.path == "/slow":
                time.sleep(receiver.slow_seconds)
                self.send_response(200)
            else:
                self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = WebhookReceiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
