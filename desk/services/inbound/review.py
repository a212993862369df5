"""What staff do with inbound email: the case's email messages, a held message posted or
discarded by the adviser, the full original, and the administrators' inbound log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, InboundMessage, utcnow
from desk.services.access import Actor, can_view, can_work, require_admin
from desk.services.attachment_storage import Storage
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.inbound.parse import as_email, sanitised_html
from desk.services.inbound.process import post_to_case
from desk.services.inbound.settings import InboundSettings

STATUSES = ("received", "matched", "new_case", "held", "rejected", "ignored")


def of_case(session: Session, case_id: int) -> list[InboundMessage]:
    """The case's inbound messages, oldest first (the case page marks them)."""
    stmt = (
        select(InboundMessage)
        .where(InboundMessage.case_id == case_id)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    )
    return list(session.scalars(stmt))


def log(session: Session, actor: Actor, status: str = "", limit: int = 200) -> list[InboundMessage]:
    """The inbound log for administrators, newest first, optionally one status."""
    require_admin(actor, "the inbound log")
    stmt = select(InboundMessage).order_by(InboundMessage.id.desc()).limit(limit)
    if status in STATUSES:
        stmt = stmt.where(InboundMessage.status == status)
    return list(session.scalars(stmt))


def case_references(session: Session, rows: Sequence[InboundMessage]) -> dict[int, str]:
    """The reference of each row's case (the log links to the case pages)."""
    ids = {r.case_id for r in rows if r.case_id is not None}
    if not ids:
        return {}
    found = session.execute(select(Case.id, Case.reference).where(Case.id.in_(ids)))
    return {case_id: reference for case_id, reference in found}


def _readable(session: Session, actor: Actor, inbound_id: int) -> InboundMessage:
    row = session.get(InboundMessage, inbound_id)
    if row is None:
        raise NotFound("inbound message")
    case = session.get(Case, row.case_id) if row.case_id is not None else None
    if case is None:
        require_admin(actor, "an unmatched email")
    elif not can_view(actor, case):
        raise Forbidden("not your case")
    return row


@dataclass(frozen=True)
class Original:
    """The full original of an email as staff see it (HTML sanitised, never raw)."""

    row: InboundMessage
    headers: Sequence[tuple[str, str]]
    text: str
    html: str


def original(session: Session, actor: Actor, inbound_id: int) -> Original:
    """The whole message one click away from its trimmed text."""
    row = _readable(session, actor, inbound_id)
    message = as_email(row.raw)
    shown = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To")
    headers = [(name, str(message.get(name, ""))) for name in shown if message.get(name)]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = str(text_part.get_content()) if text_part is not None else ""
    html = sanitised_html(str(html_part.get_content())) if html_part is not None else ""
    return Original(row, headers, text, html)


def _held(session: Session, actor: Actor, inbound_id: int) -> tuple[InboundMessage, Case]:
    row = session.get(InboundMessage, inbound_id)
    case = session.get(Case, row.case_id) if row and row.case_id is not None else None
    if row is None or case is None:
        raise NotFound("inbound message")
    if not can_work(actor, case):
        raise Forbidden("not your case")
    if row.status != "held":
        raise Conflict("not_held")
    return row, case


def post_held(
    session: Session,
    actor: Actor,
    inbound_id: int,
    settings: InboundSettings,
    storage: Storage | None,
) -> InboundMessage:
    """The adviser accepts a held message: it becomes the employer's answer on the case."""
    row, case = _held(session, actor, inbound_id)
    name = actor.user.name if actor.user is not None else ""
    outcome = post_to_case(session, row, case, storage, settings, f"the adviser ({name})")
    row.status, row.reason = outcome.status, outcome.reason
    row.processed_at = utcnow()
    session.commit()
    return row


def discard_held(session: Session, actor: Actor, inbound_id: int) -> InboundMessage:
    """The adviser discards a held message: it stays in the log as rejected."""
    row, _case = _held(session, actor, inbound_id)
    name = actor.user.name if actor.user is not None else ""
    row.status, row.reason = "rejected", f"discarded by the adviser ({name})"
    row.processed_at = utcnow()
    session.commit()
    return row
