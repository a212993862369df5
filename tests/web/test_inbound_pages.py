"""The email channel's pages: messages marked "by email" on the case page with the original
one click away (HTML sanitised, never raw), a held email posted or discarded by the
adviser, and the administrators' inbound log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desk.domain.inbound_mail import reply_address
from desk.models import InboundMessage
from desk.services import cases
from desk.services.inbound import process
from desk.services.inbound.receive import store_raw
from desk.services.inbound.settings import InboundSettings
from tests.conftest import login, raw_submission
from tests.support.mail import email


def receive(app: Any, app_session: Session, raw: bytes) -> InboundMessage:
    stored = store_raw(app_session, raw, via="smtp")
    process.process_pending(app_session, InboundSettings.from_config(app.config), None)
    row = app_session.get(InboundMessage, stored.id)
    assert row is not None
    app_session.refresh(row)
    return row


def reply_to(app: Any, reference: str) -> str:
    base = app.config["INBOUND_ADDRESS_PAIJAT_HAME"]
    return reply_address(app.config["SECRET_KEY"], base, reference)


def test_an_emailed_answer_is_marked_on_the_case_with_its_sanitised_original(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = cases.submit_case(app_session, raw_submission())
    html = (
        '<p>Kolme <b>hitsaajaa</b>.</p><script>alert(1)</script><a href="x" onclick="y">linkki</a>'
    )
    row = receive(
        app, app_session, email(reply_to(app, case.reference), "Kolme hitsaajaa.", html=html)
    )
    assert row.status == "matched"
    staff("adviser@example.fi")
    login(client, "adviser@example.fi")
    page = client.get(f"/staff/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert 'data-testid="by-email"' in page and "Show the original email" in page
    original = client.get(f"/staff/inbound/{row.id}?lang=en")
    assert original.status_code == 200
    text = original.get_data(as_text=True)
    assert "<b>hitsaajaa</b>" in text
    assert "<script>alert(1)</script>" not in text and "onclick" not in text
    assert "Matched to a case" in text


def test_a_held_email_is_posted_by_the_adviser(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = cases.submit_case(app_session, raw_submission())
    row = receive(
        app, app_session, email(reply_to(app, case.reference), "Vastaan.", sender="mika@example.fi")
    )
    assert row.status == "held"
    staff("adviser@example.fi")
    login(client, "adviser@example.fi")
    page = client.get(f"/staff/cases/{case.reference}?lang=fi").get_data(as_text=True)
    assert "Sinulle pidätetyt sähköpostit" in page and "mika@example.fi" in page
    answer = client.post(f"/staff/inbound/{row.id}/post")
    assert answer.status_code == 303
    app_session.refresh(row)
    assert row.status == "matched" and row.case_message_id is not None
    again = client.post(f"/staff/inbound/{row.id}/discard?lang=en")
    assert again.status_code == 409
    assert "This email is no longer held." in again.get_data(as_text=True)


def test_another_teams_adviser_may_not_read_or_post(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = cases.submit_case(app_session, raw_submission())
    row = receive(
        app, app_session, email(reply_to(app, case.reference), "Hei", sender="x@example.fi")
    )
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    login(client, "lahti@example.fi")
    assert client.get(f"/staff/inbound/{row.id}").status_code == 403
    assert client.post(f"/staff/inbound/{row.id}/post").status_code == 403
    assert client.get("/admin/inbound").status_code == 403


def test_the_inbound_log_shows_state_and_reason(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    receive(
        app,
        app_session,
        email("tyonantajat@desk.invalid", "Lomalla.", headers={"Auto-Submitted": "auto-replied"}),
    )
    receive(app, app_session, email("tyonantajat@desk.invalid", "Tarvitsemme apua Heinolassa."))
    staff("admin@example.fi", role="admin", authority="lahti", teams=())
    login(client, "admin@example.fi")
    page = client.get("/admin/inbound?lang=en").get_data(as_text=True)
    assert "Ignored (automatic mail)" in page and "Auto-Submitted: auto-replied" in page
    assert "New case" in page and "TP-" in page
    only = client.get("/admin/inbound?status=ignored&lang=sv").get_data(as_text=True)
    assert "Ignorerat (automatiskt meddelande)" in only and "Nytt ärende</span>" not in only


def test_an_expired_form_keeps_the_email_held(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = cases.submit_case(app_session, raw_submission())
    row = receive(
        app, app_session, email(reply_to(app, case.reference), "Hei", sender="x@example.fi")
    )
    staff("adviser@example.fi")
    login(client, "adviser@example.fi")
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.post(f"/staff/inbound/{row.id}/post?lang=en")
    assert answer.status_code == 400
    app_session.refresh(row)
    assert row.status == "held"
