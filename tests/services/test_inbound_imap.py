"""The IMAP path against a real local IMAP server (Dovecot, tests/support/imap_server.py):
unseen messages are stored raw and flagged seen, a second poll stores nothing, and the
stored message is processed like one received by SMTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.inbound_mail import reply_address
from desk.models import Case, CaseMessage, InboundMessage
from desk.services import cases
from desk.services.inbound import imap, process
from desk.services.inbound.settings import InboundSettings
from tests.conftest import raw_submission
from tests.support.imap_server import PASSWORD, USER, ImapServer, dovecot
from tests.support.mail import DESK, INBOUND_CONFIG, PAIJAT_HAME, SECRET, email


@pytest.fixture
def server() -> Iterator[ImapServer]:
    with dovecot() as running:
        yield running


def settings(server: ImapServer) -> imap.ImapSettings:
    return imap.ImapSettings.from_config(
        {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": server.port,
            "IMAP_SECURITY": "none",
            "IMAP_USERNAME": USER,
            "IMAP_PASSWORD": PASSWORD,
        }
    )


def test_polling_stores_each_unseen_message_once(session: Session, server: ImapServer) -> None:
    case = cases.submit_case(session, raw_submission())
    to = reply_address(SECRET, PAIJAT_HAME, case.reference)
    server.deliver(email(to, "Vastaus IMAPin kautta."))
    server.deliver(email(DESK, "Uusi kysymys Sysmästä."))
    assert imap.poll(session, settings(server), imap.connect) == 2
    assert server.unseen() == 0
    assert imap.poll(session, settings(server), imap.connect) == 0
    # Marked unseen again by someone reading the mailbox: still stored once.
    client = server.client()
    client.select("INBOX")
    client.store("1:*", "-FLAGS", "\\Seen")
    client.logout()
    assert imap.poll(session, settings(server), imap.connect) == 0

    rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.via for r in rows] == ["imap", "imap"]
    process.process_pending(session, InboundSettings.from_config(INBOUND_CONFIG), None)
    for row in rows:
        session.refresh(row)
    assert [r.status for r in rows] == ["matched", "new_case"]
    body = session.scalar(select(CaseMessage.body).where(CaseMessage.id == rows[0].case_message_id))
    assert body == "Vastaus IMAPin kautta."
    new = session.get(Case, rows[1].case_id)
    assert new is not None and new.municipality_code == "781"
