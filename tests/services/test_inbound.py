"""The email channel's service: stored once, matched to its case (reply address, then the
thread), trimmed, held for a stranger, a new case for new mail, and never an answer to an
auto-reply, a list or a bounce; a bounce marks the desk's own email failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.inbound_mail import reply_address
from desk.models import Attachment, Case, CaseEvent, InboundMessage, OutboxMessage
from desk.services import cases
from desk.services.attachment_storage import FileSystemStorage
from desk.services.errors import Conflict
from desk.services.inbound import process, review
from desk.services.inbound.receive import store_raw
from desk.services.inbound.settings import InboundSettings
from desk.services.notify import delivery
from tests.conftest import raw_submission
from tests.support import sample_files as f
from tests.support.actors import as_staff
from tests.support.mail import DESK, INBOUND_CONFIG, PAIJAT_HAME, SECRET, delivery_report, email

SETTINGS = InboundSettings.from_config(INBOUND_CONFIG)


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(tmp_path / "attachments")


def receive(
    session: Session, raw: bytes, storage: FileSystemStorage | None = None
) -> InboundMessage:
    stored = store_raw(session, raw, via="smtp")
    process.process_pending(session, SETTINGS, storage)
    row = session.get(InboundMessage, stored.id)
    assert row is not None
    session.refresh(row)
    return row


def waiting_case(session: Session, make_user: Any) -> Case:
    case = cases.submit_case(session, raw_submission())
    adviser = make_user()
    cases.ask_employer(session, as_staff(adviser), case.id, "Montako hitsaajaa tarvitsette?")
    return case


def outbox_count(session: Session, kind: str) -> int:
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
    return int(session.scalar(stmt) or 0)


def test_the_same_message_id_twice_is_one_message(session: Session) -> None:
    raw = email(DESK, "Hei!", message_id="<same@example.fi>")
    first = store_raw(session, raw, via="smtp")
    second = store_raw(session, raw, via="imap")
    assert first.new and not second.new and first.id == second.id
    count = session.scalar(select(func.count()).select_from(InboundMessage))
    assert count == 1


def test_a_reply_to_the_signed_address_is_the_employers_answer(
    session: Session, make_user: Any, storage: FileSystemStorage
) -> None:
    case = waiting_case(session, make_user)
    to = reply_address(SECRET, PAIJAT_HAME, case.reference)
    body = (
        "Tarvitsemme kolme hitsaajaa.\n\n-- \nTeija\n\n"
        "ma 1.12.2026 klo 9.30 Työnantajapalvelut kirjoitti:\n> Montako hitsaajaa?\n"
    )
    row = receive(
        session,
        email(to, body, attachments=(("sopimus.pdf", f.PDF, "application/pdf"),)),
        storage,
    )
    assert (row.status, row.case_id) == ("matched", case.id)
    assert row.reason == "matched by reply address"
    session.refresh(case)
    message = next(m for m in case.messages if m.id == row.case_message_id)
    assert message.body == "Tarvitsemme kolme hitsaajaa."
    assert message.author_kind == "employer"
    assert case.status == "open"  # the waiting case reopened (its SLA clocks run again)
    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "employer_replied")
    ).one()
    assert event.channel == "email"
    files = session.scalars(select(Attachment).where(Attachment.message_id == message.id)).all()
    assert [a.name for a in files] == ["sopimus.pdf"]
    assert outbox_count(session, "email.employer_reply") >= 1  # the adviser hears of it
    assert [r.id for r in review.of_case(session, case.id)] == [row.id]


def test_control_characters_of_an_email_are_dropped_not_refused(
    session: Session, make_user: Any
) -> None:
    """The forms refuse them; a sender cannot be asked, and PostgreSQL cannot store NUL."""
    case = waiting_case(session, make_user)
    to = reply_address(SECRET, PAIJAT_HAME, case.reference)
    row = receive(session, email(to, "Kolme\x00 hitsaajaa\x07.", subject="Re\x00: x"))
    assert (row.status, row.case_id) == ("matched", case.id)
    session.refresh(case)
    message = next(m for m in case.messages if m.id == row.case_message_id)
    assert message.body == "Kolme hitsaajaa."


def test_matched_by_the_thread_when_the_reply_address_is_lost(
    session: Session, make_user: Any
) -> None:
    case = waiting_case(session, make_user)
    sent = session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)
    ).first()
    assert sent is not None
    own_id = delivery.message_id(sent, "Desk <tyonantajat@desk.invalid>")
    row = receive(session, email(DESK, "Kolme.", headers={"In-Reply-To": own_id}))
    assert (row.status, row.case_id) == ("matched", case.id)
    assert row.reason == "matched by In-Reply-To/References"


def test_a_forged_reply_address_matches_nothing(session: Session, make_user: Any) -> None:
    case = waiting_case(session, make_user)
    forged = f"tyonantajat.paijat-hame+{case.reference}.0123456789abcdef@desk.invalid"
    row = receive(session, email(forged, "Hei, tässä Y-tunnus 0112038-9."))
    assert row.status == "new_case" and row.case_id != case.id


def test_a_stranger_is_held_and_the_adviser_posts_or_discards(
    session: Session, make_user: Any
) -> None:
    case = waiting_case(session, make_user)
    adviser = make_user()
    to = reply_address(SECRET, PAIJAT_HAME, case.reference)
    held = receive(session, email(to, "Minä vastaan Teijan puolesta.", sender="mika@example.fi"))
    assert (held.status, held.case_id) == ("held", case.id)
    assert "not the case's contact" in held.reason
    session.refresh(case)
    assert case.status == "waiting"  # nothing posted silently
    posted = review.post_held(session, as_staff(adviser), held.id, SETTINGS, None)
    assert posted.status == "matched" and posted.case_message_id is not None
    with pytest.raises(Conflict):
        review.discard_held(session, as_staff(adviser), held.id)
    other = receive(session, email(to, "Roskaa.", sender="spam@example.com"))
    discarded = review.discard_held(session, as_staff(adviser), other.id)
    assert discarded.status == "rejected" and "discarded" in discarded.reason


def test_new_mail_opens_a_case_with_a_confirmation_in_the_writers_language(
    session: Session,
) -> None:
    body = "Hej, vi behöver tre anställda till vår verkstad i Orimattila. FO-nummer 0112038-9."
    row = receive(session, email(DESK, body, sender="Anna <anna@example.se>", subject="Hjälp"))
    assert row.status == "new_case"
    case = session.get(Case, row.case_id)
    assert case is not None
    assert (case.need_code, case.language, case.email) == ("other", "sv", "anna@example.se")
    assert case.business_id == "0112038-9"
    assert case.municipality_code == "560"
    assert case.team.slug == "paijat-hame-employer-services"
    assert "vi behöver tre anställda" in case.description
    confirmation = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.kind == "email.case_received"
        )
    ).one()
    assert confirmation.status == "pending"
    channel = session.scalars(
        select(CaseEvent.channel).where(CaseEvent.case_id == case.id, CaseEvent.kind == "created")
    ).one()
    assert channel == "email"


def test_unknown_municipality_goes_to_intake_in_finnish(session: Session) -> None:
    row = receive(session, email(DESK, "Tarvitsisimme apua.", subject="Kysymys"))
    case = session.get(Case, row.case_id)
    assert case is not None and case.language == "fi"
    assert case.team.slug == "regional-intake"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List-Id": "<uutiset.example.fi>"},
        {"X-Autoreply": "yes"},
    ],
)
def test_auto_replies_and_lists_open_nothing_and_answer_nothing(
    session: Session, headers: dict[str, str]
) -> None:
    before = outbox_count(session, "email.case_received")
    row = receive(session, email(DESK, "Olen lomalla 8.12. asti.", headers=headers))
    assert row.status == "ignored" and row.case_id is None
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    assert outbox_count(session, "email.case_received") == before


def test_mail_from_the_desks_own_address_is_never_answered(session: Session) -> None:
    row = receive(session, email(DESK, "Pyyntösi on vastaanotettu.", sender=PAIJAT_HAME))
    assert (row.status, row.reason) == ("ignored", "from the desk's own address")
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_out_of_office_reply_to_a_case_posts_nothing(session: Session, make_user: Any) -> None:
    case = waiting_case(session, make_user)
    to = reply_address(SECRET, PAIJAT_HAME, case.reference)
    row = receive(session, email(to, "Olen lomalla.", headers={"Auto-Submitted": "auto-replied"}))
    assert row.status == "ignored"
    session.refresh(case)
    assert case.status == "waiting"


def test_a_bounce_marks_the_desks_own_email_failed(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(email="nobody@example.fi"))
    sent = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.kind == "email.case_received"
        )
    ).one()
    own_id = delivery.message_id(sent, "Desk <tyonantajat@desk.invalid>")
    row = receive(session, delivery_report(own_id))
    assert row.status == "ignored"
    assert row.reason == f"delivery report for outbox {sent.id}"
    session.refresh(sent)
    assert sent.status == "dead"
    assert sent.last_error.startswith("bounced:")
    assert session.scalar(select(func.count()).select_from(Case)) == 1  # no case from it


def test_html_mail_is_read_as_text_and_shown_sanitised(session: Session, make_user: Any) -> None:
    html = '<p>Hei,<br>kolme <b>hitsaajaa</b>.</p><script>alert("x")</script><img src="http://t">'
    row = receive(session, email(DESK, "", html=html))
    assert row.status == "new_case"
    case = session.get(Case, row.case_id)
    assert case is not None
    assert "kolme hitsaajaa" in case.description and "script" not in case.description
    admin = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    original = review.original(session, as_staff(admin), row.id)
    assert "<b>hitsaajaa</b>" in original.html
    assert "<script" not in original.html and "<img" not in original.html


def test_mail_not_for_the_desk_is_rejected_and_the_log_shows_it(
    session: Session, make_user: Any
) -> None:
    row = receive(session, email("someone@else.fi", "Hei"))
    assert (row.status, row.reason) == ("rejected", "not addressed to the desk")
    admin = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    assert [r.id for r in review.log(session, as_staff(admin), "rejected")] == [row.id]


def test_every_email_to_the_employer_carries_the_case_reply_address(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.case_received")
    ).one()
    config = {
        **INBOUND_CONFIG,
        "BASE_URL": "http://desk.test",
        "MAIL_FROM": "Desk <tyonantajat@desk.invalid>",
    }
    plan = delivery.plan(session, row, config)
    assert isinstance(plan, delivery.EmailPlan)
    assert plan.headers["Reply-To"] == reply_address(SECRET, PAIJAT_HAME, case.reference)
    assert plan.headers["References"] == f"<case-{case.reference}@desk.invalid>"
