"""Store a received email raw, first and once: nothing is acknowledged before this commits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.intake import without_control_characters
from desk.models import InboundMessage, utcnow


@dataclass(frozen=True)
class Stored:
    """The stored row's id, and whether this call stored it (False: a redelivery)."""

    id: int
    new: bool


def _message_id(raw: bytes) -> str:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    found = without_control_characters(str(headers.get("Message-ID", "") or ""), False).strip()
    if found:
        return found[:300]
    # No Message-ID: the same bytes delivered twice are still the same message.
    return "<sha256-" + hashlib.sha256(raw).hexdigest() + "@inbound.desk>"


def _header(raw: bytes, name: str) -> str:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    try:
        # A NUL cannot be stored on PostgreSQL: the message would be refused for ever.
        return without_control_characters(str(headers.get(name, "") or ""), multiline=False)
    except (ValueError, IndexError):  # a malformed header is kept raw, not refused here
        return ""


def store_raw(
    session: Session,
    raw: bytes,
    *,
    via: str,
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
) -> Stored:
    """Commit the raw message (status received) unless its Message-ID is stored already.

    Raises whatever the database raises: the receiver then answers "try again later".
    """
    message_id = _message_id(raw)
    existing = session.scalar(
        select(InboundMessage.id).where(InboundMessage.message_id == message_id)
    )
    if existing is not None:
        session.rollback()
        return Stored(existing, False)
    row = InboundMessage(
        message_id=message_id,
        raw=raw,
        size=len(raw),
        received_at=utcnow(),
        via=via,
        envelope_from=envelope_from[:300],
        envelope_to=", ".join(envelope_to),
        sender=_header(raw, "From")[:300],
        subject=_header(raw, "Subject")[:300],
        status="received",
        reason="",
        text="",
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        # A twin delivery committed first: it is the stored one.
        session.rollback()
        twin = session.scalar(
            select(InboundMessage.id).where(InboundMessage.message_id == message_id)
        )
        if twin is None:
            raise
        return Stored(twin, False)
    return Stored(row.id, True)
