"""The email channel end to end through real processes: the inbound SMTP receiver (`desk
inbound smtp`), a Celery worker and beat on the embedded broker, and a real SMTP server for
the desk's outgoing mail. The employer answers the confirmation with their mail client's
"Reply": the answer lands on the case; a fresh email opens a case and brings a confirmation;
an out-of-office reply opens nothing; a receiver whose database is gone answers 451."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from desk.models import Case, CaseMessage, InboundMessage
from desk.services import cases
from desk.services.inbound.smtp_receiver import start_receiver
from tests.conftest import raw_submission
from tests.support.processes import BIN, DeskProcesses, desk_factory, wait_for
from tests.support.receivers import mailbox, start_smtp
from tests.support.services import free_port

DESK = "tyonantajat@desk.invalid"


@pytest.fixture
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskProcesses]:
    with desk_factory(tmp_path_factory) as factory:
        desk = factory(
            INBOUND_SMTP_PORT=free_port(),
            INBOUND_PROCESS_SECONDS=0.5,
            SECRET_KEY="inbound-worker-tier",
        )
        smtp = start_smtp(desk.mail_dir, desk.smtp_port)
        try:
            desk.start("inbound", [str(BIN / "desk"), "inbound", "smtp"], ready="Inbound SMTP on")
            desk.start_worker_and_beat()
            desk.wait_ready("inbound")
            yield desk
        finally:
            smtp.stop()


def send(desk: DeskProcesses, message: EmailMessage) -> dict[str, Any]:
    with smtplib.SMTP("127.0.0.1", int(desk.settings["INBOUND_SMTP_PORT"]), timeout=20) as smtp:
        refused: dict[str, Any] = smtp.send_message(message)
    return refused


def mail_to(to: str, body: str, subject: str, sender: str = "teija@example.fi") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.fi")
    message.set_content(body)
    return message


def caught(desk: DeskProcesses, to: str, count: int = 1) -> list[EmailMessage]:
    def found() -> list[EmailMessage] | None:
        mails = [m for m in mailbox(desk.mail_dir) if m["To"] == to]
        return mails if len(mails) >= count else None

    mails: list[EmailMessage] = wait_for(found, 60, f"mail to {to}\n{desk.tails()}")
    return mails


def test_an_employer_answers_by_email_and_new_mail_opens_a_case(desk: DeskProcesses) -> None:
    with desk.session() as session:
        case = cases.submit_case(session, raw_submission(email="teija@example.fi"))
        case_id, reference = case.id, case.reference
    confirmation = caught(desk, "teija@example.fi")[0]
    reply_to = str(confirmation["Reply-To"])
    assert reply_to.startswith(f"tyonantajat.paijat-hame+{reference}.")
    assert str(confirmation["References"]) == f"<case-{reference}@desk.invalid>"

    # The mail client's "Reply": to the Reply-To, in the thread, the history quoted.
    answer = mail_to(
        reply_to,
        "Kolme hitsaajaa tammikuusta.\n\n> Pyyntösi on vastaanotettu\n",
        f"Re: {confirmation['Subject']}",
    )
    answer["In-Reply-To"] = confirmation["Message-ID"]
    assert send(desk, answer) == {}

    def posted() -> list[str] | None:
        with desk.session() as session:
            bodies = session.scalars(
                select(CaseMessage.body).where(
                    CaseMessage.case_id == case_id, CaseMessage.author_kind == "employer"
                )
            ).all()
        return list(bodies) or None

    assert wait_for(posted, 30, f"the answer on the case\n{desk.tails()}") == [
        "Kolme hitsaajaa tammikuusta."
    ]

    # The same message again (a server that redelivers): stored once, posted once.
    assert send(desk, answer) == {}
    # An out-of-office reply to the confirmation: nothing opens, nothing answers.
    away = mail_to(reply_to, "Olen lomalla.", "Automaattinen vastaus")
    away["Auto-Submitted"] = "auto-replied"
    send(desk, away)
    # A fresh email to the desk's address: a new case and its confirmation, in English.
    fresh = mail_to(
        DESK,
        "Hello, we would like to hire two chefs in Lahti. Regards, Sam",
        "Chefs",
        sender="Sam Employer <sam@example.com>",
    )
    send(desk, fresh)
    confirmation_en = caught(desk, "sam@example.com")[0]
    assert "TP-" in str(confirmation_en["Subject"])

    def settled() -> list[InboundMessage] | None:
        with desk.session() as session:
            rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
            done = [r for r in rows if r.status != "received"]
            for row in done:
                session.expunge(row)
        return done if len(done) == 3 else None

    rows = wait_for(settled, 30, f"three processed messages\n{desk.tails()}")
    assert [r.status for r in rows] == ["matched", "ignored", "new_case"]
    assert [r.via for r in rows] == ["smtp"] * 3
    with desk.session() as session:
        new = session.get(Case, rows[2].case_id)
        assert new is not None
        assert (new.language, new.need_code, new.team.slug) == (
            "en",
            "other",
            "lahti-employer-services",
        )
        assert len(session.scalars(select(Case)).all()) == 2
    assert not [m for m in mailbox(desk.mail_dir) if m["To"] == "teija@example.fi"][1:], (
        "the out-of-office reply was answered"
    )


def test_the_receiver_answers_451_while_the_database_is_gone(tmp_path: Path) -> None:
    # A database file in a directory that does not exist: every commit fails.
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'desk.sqlite3'}")
    port = free_port()
    controller = start_receiver(sessionmaker(engine), "127.0.0.1", port, 1024 * 1024)
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            smtp.send_message(mail_to(DESK, "Hei", "Kysymys"))
        assert refused.value.smtp_code == 451
    finally:
        controller.stop()
        engine.dispose()
