"""A raw email as the desk reads it: who, to whom, the thread, the text and the files.

HTML is never kept to render: its text is extracted (nh3 strips every tag), and the
original view shows it sanitised by nh3 (sanitised_html).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import nh3

from desk.domain.attachments import Upload
from desk.domain.intake import without_control_characters

_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class ParsedMail:
    sender: str  # the From address, lower-case
    sender_name: str
    recipients: tuple[str, ...]  # To, Cc, Delivered-To and the envelope's, lower-case
    subject: str
    thread_ids: tuple[str, ...]  # In-Reply-To first, then References, newest first
    headers: dict[str, str]  # lower-case names (first value), plus "from-address"
    content_type: str
    report_type: str
    text: str
    html: str
    attachments: tuple[Upload, ...] = ()
    # A delivery report's original Message-IDs (its message/rfc822 or headers part).
    reported_ids: tuple[str, ...] = field(default_factory=tuple)


def _safe(message: Message, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, IndexError, TypeError):
        return ""


def _content(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def html_to_text(value: str) -> str:
    """The readable text of an HTML body: every tag removed by nh3, entities decoded."""
    value = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", value)
    cleaned = nh3.clean(value, tags=set(), strip_comments=True)
    text = html_lib.unescape(cleaned)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip()


def sanitised_html(value: str) -> str:
    """HTML safe to show staff: nh3's allow-list, links made rel=noopener, no images' hosts."""
    return nh3.clean(value, tags=nh3.ALLOWED_TAGS - {"img"}, link_rel="noopener noreferrer")


def parse(raw: bytes, envelope_to: str = "") -> ParsedMail:
    """Read one raw message; never raises on malformed mail (fields come out empty)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers = {name.lower(): _safe(message, name) for name in dict.fromkeys(message.keys())}
    name, address = parseaddr(headers.get("from", ""))
    headers["from-address"] = address.lower()
    recipients = [
        a.lower()
        for _n, a in getaddresses(
            [headers.get(h, "") for h in ("to", "cc", "delivered-to", "x-original-to")]
            + [envelope_to]
        )
        if a
    ]
    thread = _MSGID.findall(headers.get("in-reply-to", ""))
    thread += list(reversed(_MSGID.findall(headers.get("references", ""))))
    text, html, files, reported = "", "", [], []
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            reported += _MSGID.findall(_reported_message_id(part))
            continue
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and disposition != "inline"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                files.append(Upload(filename or "attachment", data))
        elif ctype == "text/plain" and not text:
            text = _content(part)
        elif ctype == "text/html" and not html:
            html = _content(part)
    if not text and html:
        text = html_to_text(html)
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "") or "")
    return ParsedMail(
        sender=address.lower(),
        # A sender cannot be asked to correct a stray control character (a NUL byte cannot
        # be stored on PostgreSQL): drop them, as the forms would refuse them.
        sender_name=without_control_characters(name, multiline=False),
        recipients=tuple(dict.fromkeys(recipients)),
        subject=without_control_characters(headers.get("subject", ""), multiline=False),
        thread_ids=tuple(dict.fromkeys(thread)),
        headers=headers,
        content_type=content_type,
        report_type=report_type,
        text=without_control_characters(text),
        html=without_control_characters(html),
        attachments=tuple(files),
        reported_ids=tuple(dict.fromkeys(reported)),
    )


def _reported_message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        inner = payload[0]
        if isinstance(inner, Message):
            return _safe(inner, "Message-ID")
    text = _content(part) if not isinstance(payload, list) else ""
    found = re.search(r"(?im)^Message-ID:\s*(<[^>]+>)", text)
    return found.group(1) if found else ""


def as_email(raw: bytes) -> EmailMessage:
    """The raw bytes as a message object (for the original's view)."""
    parsed: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    return parsed
