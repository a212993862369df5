"""Emails as an employer's mail client (or a mail system) would send them, for inbound tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

DESK = "tyonantajat@desk.invalid"
LAHTI = "tyonantajat.lahti@desk.invalid"
PAIJAT_HAME = "tyonantajat.paijat-hame@desk.invalid"
SECRET = "inbound-test-secret"
INBOUND_CONFIG = {
    "SECRET_KEY": SECRET,
    "INBOUND_ADDRESS": DESK,
    "INBOUND_ADDRESS_LAHTI": LAHTI,
    "INBOUND_ADDRESS_PAIJAT_HAME": PAIJAT_HAME,
}


def email(
    to: str,
    body: str,
    *,
    sender: str = "Teija Työnantaja <teija@example.fi>",
    subject: str = "Re: Uusi vastaus asiaasi",
    headers: dict[str, str] | None = None,
    html: str = "",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    message_id: str = "",
) -> bytes:
    """A message's raw bytes: text (and an HTML twin or only HTML), files attached."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.fi")
    for name, value in (headers or {}).items():
        message[name] = value
    if body:
        message.set_content(body)
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def delivery_report(original_message_id: str, to: str = DESK) -> bytes:
    """An RFC 3464 delivery status notification (as Postfix writes one) returning one of the
    desk's emails."""
    return f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.fi>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{original_message_id.strip("<>")}@mx.example.fi>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

The mail system could not deliver your message to nobody@example.fi.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.fi

Final-Recipient: rfc822; nobody@example.fi
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

From: {to}
To: nobody@example.fi
Subject: Pyyntösi on vastaanotettu
Message-ID: {original_message_id}

--BOUNDARY--
""".replace("\n", "\r\n").encode("utf-8")
