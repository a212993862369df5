"""Sending email over SMTP (plain, STARTTLS or implicit TLS), configured from app settings."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

# Failures worth another attempt later: the server or the network, not the message.
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
        )


def build_message(
    settings: SmtpSettings, *, to: str, subject: str, text: str, html: str, language: str
) -> EmailMessage:
    """A multipart/alternative message with plain-text and HTML twins."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After set_content(), which clears every Content-* header.
    message["Content-Language"] = language
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver one message; raises one of TRANSIENT_ERRORS when it should be retried."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
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
