"""What a stored email becomes: an answer on its case, a held message, a new case, a
bounce recorded on the desk's own delivery, or nothing (auto-replies, lists, strangers).

process_pending() is the Celery task's service: it takes received rows one at a time under a
row lock (SKIP LOCKED on PostgreSQL), so two workers never process one message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db import for_update
from desk.domain.attachments import AttachmentRefused, check_uploads
from desk.domain.inbound_mail import (
    business_id_in,
    guess_language,
    loop_verdict,
    municipality_in,
    outbox_id_in,
    reference_from_address,
    reference_in_thread_id,
    trim_reply,
)
from desk.domain.intake import MAX_DESCRIPTION, CleanSubmission
from desk.models import Case, InboundMessage, OutboxMessage, utcnow
from desk.services import cases
from desk.services.access import Actor, Channel
from desk.services.attachment_storage import Storage
from desk.services.attachments import add_attachments, discard
from desk.services.errors import Conflict
from desk.services.inbound.parse import ParsedMail, parse
from desk.services.inbound.settings import InboundSettings
from desk.services.reference_data import snapshot

log = logging.getLogger(__name__)

NEED_OTHER = "other"


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    case_id: int | None = None


def process_pending(
    session: Session, settings: InboundSettings, storage: Storage | None, limit: int = 50
) -> int:
    """Process up to `limit` received messages, oldest first; returns how many."""
    done = 0
    while done < limit:
        stmt = (
            select(InboundMessage)
            .where(InboundMessage.status == "received")
            .order_by(InboundMessage.received_at, InboundMessage.id)
            .limit(1)
        )
        row = session.scalar(for_update(stmt, session, skip_locked=True))
        if row is None:
            session.rollback()
            break
        process_one(session, row, settings, storage)
        done += 1
    return done


def process_one(
    session: Session, row: InboundMessage, settings: InboundSettings, storage: Storage | None
) -> Outcome:
    """Decide and record what one message becomes; commits."""
    try:
        outcome = _decide(session, row, settings, storage)
    except Exception as exc:  # a message that breaks the parser is kept, marked, never lost
        session.rollback()
        log.exception("inbound message %s could not be processed", row.id)
        outcome = Outcome("rejected", f"could not be processed: {type(exc).__name__}")
        row = session.get(InboundMessage, row.id) or row
    row.status = outcome.status
    row.reason = outcome.reason[:2000]
    row.case_id = outcome.case_id if outcome.case_id is not None else row.case_id
    row.processed_at = utcnow()
    session.commit()
    return outcome


def _case_of(
    session: Session, mail: ParsedMail, settings: InboundSettings
) -> tuple[Case | None, str]:
    for address in mail.recipients:
        reference = reference_from_address(settings.secret, address)
        if reference is not None:
            case = session.scalar(select(Case).where(Case.reference == reference))
            if case is not None:
                return case, "reply address"
    for message_id in mail.thread_ids:
        outbox_id = outbox_id_in(message_id)
        if outbox_id is not None:
            sent = session.get(OutboxMessage, outbox_id)
            if sent is not None and sent.case_id is not None:
                case = session.get(Case, sent.case_id)
                if case is not None:
                    return case, "In-Reply-To/References"
        reference = reference_in_thread_id(message_id)
        if reference is not None:
            case = session.scalar(select(Case).where(Case.reference == reference))
            if case is not None:
                return case, "In-Reply-To/References"
    return None, ""


def _final_case(session: Session, case: Case) -> Case:
    # A merged duplicate's answers belong to the case it was merged into.
    return case.merged_into if case.merged_into is not None else case


def _decide(
    session: Session, row: InboundMessage, settings: InboundSettings, storage: Storage | None
) -> Outcome:
    if row.size > settings.max_bytes:
        return Outcome("rejected", f"too big ({row.size} bytes)")
    mail = parse(row.raw, row.envelope_to)
    verdict = loop_verdict(mail.headers, mail.content_type, mail.report_type)
    if verdict.bounce:
        return _bounce(session, mail)
    if verdict.automatic:
        return Outcome("ignored", verdict.reason)
    if not mail.sender:
        return Outcome("rejected", "no sender address")
    if settings.authority_of(mail.sender) is not None:
        # The desk's own address as the sender: answering it would talk to itself.
        return Outcome("ignored", "from the desk's own address")
    row.text = trim_reply(mail.text)[:MAX_DESCRIPTION]
    case, how = _case_of(session, mail, settings)
    if case is not None:
        case = _final_case(session, case)
        if mail.sender != case.email.strip().lower():
            return Outcome(
                "held", f"matched by {how}; the sender is not the case's contact", case.id
            )
        return _post(session, row, case, mail, how, storage, settings)
    if not any(settings.authority_of(a) is not None for a in mail.recipients):
        return Outcome("rejected", "not addressed to the desk")
    return _new_case(session, row, mail, settings, storage)


def _bounce(session: Session, mail: ParsedMail) -> Outcome:
    """A delivery report: the desk's own email it names is marked failed (dead)."""
    for message_id in mail.reported_ids + mail.thread_ids:
        outbox_id = outbox_id_in(message_id)
        sent = session.get(OutboxMessage, outbox_id) if outbox_id is not None else None
        if sent is None:
            continue
        sent.status = "dead"
        sent.last_error = f"bounced: {mail.subject}"[:2000]
        sent.note = "the recipient's mail system returned it (delivery report)"
        return Outcome("ignored", f"delivery report for outbox {sent.id}", sent.case_id)
    return Outcome("ignored", "delivery report (no email of the desk named)")


def post_to_case(
    session: Session,
    row: InboundMessage,
    case: Case,
    storage: Storage | None,
    settings: InboundSettings,
    how: str,
) -> Outcome:
    """Post a stored message's text and files as the employer's answer on the case."""
    mail = parse(row.raw, row.envelope_to)
    return _post(session, row, case, mail, how, storage, settings)


def _post(
    session: Session,
    row: InboundMessage,
    case: Case,
    mail: ParsedMail,
    how: str,
    storage: Storage | None,
    settings: InboundSettings,
) -> Outcome:
    text = row.text or trim_reply(mail.text)[: cases.MAX_MESSAGE] or "—"
    text = text[: cases.MAX_MESSAGE]
    actor = Actor.employer(Channel.EMAIL, mail.sender)
    uploads = list(mail.attachments) if storage is not None else []
    reason = f"matched by {how}"
    # The row's own changes are committed with the answer (employer_reply commits).
    row.status, row.case_id, row.reason = "matched", case.id, reason
    try:
        try:
            message = cases.employer_reply(
                session, case, text, actor, uploads=uploads, storage=storage, limits=settings.limits
            )
        except AttachmentRefused as refused:
            # The portal's rules refused the files: the text still reaches the case.
            code = ", ".join(sorted(set(refused.errors.values())))
            reason += f"; attachments refused ({code})"
            row.status, row.case_id, row.reason = "matched", case.id, reason
            message = cases.employer_reply(session, case, text, actor)
    except Conflict:
        session.rollback()
        return Outcome("held", "the case is closed", case.id)
    row.case_message_id = message.id
    return Outcome("matched", reason, case.id)


def _new_case(
    session: Session,
    row: InboundMessage,
    mail: ParsedMail,
    settings: InboundSettings,
    storage: Storage | None,
) -> Outcome:
    body = mail.text.strip() or "—"
    language = guess_language(f"{mail.subject}\n{body}")
    description = (f"{mail.subject}\n\n{body}" if mail.subject else body)[:MAX_DESCRIPTION]
    files = []
    reason = "no case matched: a new case"
    if storage is not None and mail.attachments:
        try:
            files = check_uploads(list(mail.attachments), settings.limits)
        except AttachmentRefused as refused:
            reason += (
                "; attachments refused (" + ", ".join(sorted(set(refused.errors.values()))) + ")"
            )
    name = mail.sender_name.strip()[:200]
    actor = Actor.employer(Channel.EMAIL, mail.sender)
    case = cases.store_case(
        session,
        CleanSubmission(
            business_id=business_id_in(body),
            organisation_name=(name or mail.sender)[:200],
            contact_name=name,
            email=mail.sender[:254],
            phone="",
            municipality_text=municipality_in(
                f"{mail.subject}\n{body}", snapshot(session).municipalities.values()
            ),
            need=NEED_OTHER,
            affected_employees=None,
            description=description,
            language=language,
        ),
        None,
        actor,
    )
    stored = []
    try:
        if files and storage is not None:
            stored = add_attachments(session, storage, case, files, actor)
        row.status, row.case_id, row.reason = "new_case", case.id, reason
        session.commit()
    except BaseException:
        session.rollback()
        if storage is not None:
            discard(storage, stored)
        raise
    return Outcome("new_case", reason, case.id)
