"""Sending email over SMTP (plain, STARTTLS or implicit TLS), configured from app settings.

The From address is chosen per message (each authority has its own sender, MAIL_FROM_<SLUG>);
SMTP_CA_FILE adds a CA to trust, for a relay with an internal certificate.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

# Failures of an attempt: the server or the network (retried later), or the message itself
# (is_permanent: a 5xx answer to it; dead-lettered at once).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPDataError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPResponseException,
    OSError,
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "none"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    sender: str = "desk@localhost"
    ca_file: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """Read the SMTP_* keys of the app configuration."""
        return cls(
            host=str(config["SMTP_HOST"]),
            port=int(config["SMTP_PORT"]),
            security=str(config.get("SMTP_SECURITY", "none")),
            username=str(config.get("SMTP_USERNAME", "")),
            password=str(config.get("SMTP_PASSWORD", "")),
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS", 10)),
            sender=str(config["MAIL_FROM"]),
            ca_file=str(config.get("SMTP_CA_FILE", "") or ""),
        )


def is_permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message or its recipient: sending it again will not help.

    Authentication failures are not counted: they are the desk's configuration, and the
    mail should wait (and be retried from the dead-letter list) until it is fixed.
    """
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def build_message(
    settings: SmtpSettings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    language: str,
    sender: str = "",
    message_id: str = "",
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message with plain-text and HTML twins."""
    message = EmailMessage()
    message["From"] = sender or settings.sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        if name.lower().startswith("list-"):
            _check_plain(name, value)
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After set_content(), which clears every Content-* header.
    message["Content-Language"] = language
    # Fold headers only past RFC 5322's 998 characters: the standard library's folding at 78
    # drops the space between two encoded words ("TP-2026-000002ensimmäisen" in a Finnish
    # subject). Set after the body is encoded, so the body keeps its transfer encoding.
    message.policy = message.policy.clone(max_line_length=998)
    return message


# RFC 2369/8058 headers are read by mail clients as they stand: an RFC 2047 encoded word
# (=?utf-8?q?=3Chttps...) is no URL to them. The email package encodes a value only when it
# is not ASCII or will not fit on one line, so such a value is refused here, not mangled.
_MAX_PLAIN_LINE = 998


def _check_plain(name: str, value: str) -> None:
    if not value.isascii() or "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be plain ASCII")
    if len(name) + 2 + len(value) > _MAX_PLAIN_LINE:
        raise ValueError(f"{name} is too long for one header line")


@lru_cache(maxsize=4)
def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying TLS context, built once: loading the CA store costs tens of milliseconds,
    more than the rest of a delivery to a local relay."""
    return ssl.create_default_context(cafile=ca_file or None)


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver one message; raises one of TRANSIENT_ERRORS when it should be retried."""
    smtp: smtplib.SMTP
    secure = settings.security in ("ssl", "starttls")
    context = tls_context(settings.ca_file) if secure else None
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
