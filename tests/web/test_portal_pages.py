"""The portal's pages: sign-in by magic link (never revealing whether an address is known),
my cases, the case page and its forms, the organisation page, and cross-organisation doors."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.attachments import Upload
from desk.domain.notification_catalogue import Kind
from desk.models import Attachment, OutboxMessage
from desk.services import cases, signed_links
from desk.services.attachment_storage import storage_from_config
from tests.conftest import raw_submission
from tests.support import sample_files as f

OTHER_ORG = "0737546-2"


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def last_link_token(app: Any, session: Session, kind: Kind = Kind.PORTAL_SIGN_IN) -> str:
    session.expire_all()
    row = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind.value)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert row is not None
    return signed_links.sign_in_token(app.config["SECRET_KEY"], int(row.payload["sign_in_id"]))


def sign_in(app: Any, client: Any, session: Session, email: str) -> None:
    assert client.post("/portal/sign-in", data={"email": email}).status_code == 303
    token = last_link_token(app, session)
    assert client.get(f"/portal/sign-in/{token}").status_code == 200  # a button, not used yet
    response = client.post(f"/portal/sign-in/{token}")
    assert response.status_code == 303 and response.headers["Location"] == "/portal/cases"


def test_sign_in_by_magic_link_lists_my_cases(app: Any, client: Any, app_session: Session) -> None:
    page = text(client.get("/portal/sign-in?lang=en"))
    assert 'name="email"' in page and 'type="email"' in page
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    sign_in(app, client, app_session, "Teija@example.fi")
    listing = client.get("/portal/cases?lang=en")
    assert listing.status_code == 200 and listing.headers["Cache-Control"] == "no-store"
    assert case.reference in text(listing)
    assert "We have received your request" in text(listing)
    # The link was used: a second press fails, with a way to ask for a new one.
    token = last_link_token(app, app_session)
    again = client.application.test_client().post(f"/portal/sign-in/{token}?lang=en")
    assert again.status_code == 400 and "Ask for a new sign-in link" in text(again)
    # Signing out ends it.
    assert client.post("/portal/sign-out").status_code == 303
    assert client.get("/portal/cases").headers["Location"] == "/portal/sign-in"


def test_the_answer_never_reveals_whether_the_address_is_known(
    client: Any, app_session: Session
) -> None:
    cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    known = client.post("/portal/sign-in?lang=en", data={"email": "teija@example.fi"})
    unknown = client.post("/portal/sign-in?lang=en", data={"email": "nobody@example.fi"})
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    page = text(client.get(known.headers["Location"] + "&lang=en"))
    assert "If this address has requests with us" in page
    app_session.expire_all()
    rows = app_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.portal_sign_in")
    )
    assert len(list(rows)) == 1  # the known address only


def test_bad_input_keeps_what_was_typed(client: Any) -> None:
    response = client.post("/portal/sign-in?lang=en", data={"email": "teija(at)example.fi"})
    assert response.status_code == 422
    page = text(response)
    assert 'value="teija(at)example.fi"' in page and 'id="email-error"' in page
    assert "Enter an email address in the correct format" in page
    empty = client.post("/portal/sign-in?lang=fi", data={"email": ""})
    assert empty.status_code == 422 and "Anna sähköpostiosoitteesi" in text(empty)
    control = client.post("/portal/sign-in", data={"email": "a\x00@example.fi"})
    assert control.status_code == 422


def test_the_forms_need_their_csrf_token(app: Any, client: Any, app_session: Session) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/portal/sign-in?lang=en", data={"email": "teija@example.fi"})
    assert response.status_code == 400 and 'value="teija@example.fi"' in text(response)
    assert client.post("/portal/sign-in/whatever?lang=en").status_code == 400
    assert client.post("/portal/sign-out").status_code == 400  # the global guard


def test_sign_in_is_rate_limited_per_client(app: Any, client: Any) -> None:
    app.config["PORTAL_SIGN_IN_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/portal/sign-in", data={"email": "x"}).status_code == 422
    response = client.post("/portal/sign-in?lang=en", data={"email": "kept@example.fi"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert 'value="kept@example.fi"' in text(response)


def test_the_case_page_reply_and_cancel(app: Any, client: Any, app_session: Session) -> None:
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    sign_in(app, client, app_session, "teija@example.fi")
    base = f"/portal/cases/{case.reference}"
    page = text(client.get(f"{base}?lang=en"))
    assert "We have received your request" in page and "You sent the request" in page
    assert "because the workplace is in Orimattila (560)" in page  # the reader's language
    assert "/email-choices/" in page
    empty = client.post(f"{base}/messages?lang=en", data={"body": "  "})
    assert empty.status_code == 422
    assert client.post(f"{base}/messages", data={"body": "Hello"}).status_code == 303
    no_reason = client.post(f"{base}/cancel?lang=en", data={"reason": ""})
    assert no_reason.status_code == 422 and "Tell us why you withdraw" in text(no_reason)
    long = client.post(f"{base}/cancel?lang=en", data={"reason": "x" * 2001})
    assert long.status_code == 422 and "x" * 2001 in text(long)
    done = client.post(f"{base}/cancel", data={"reason": "Found someone."})
    assert done.status_code == 303
    page = text(client.get(f"{base}?lang=en"))
    assert "Your request is closed" in page and "You withdrew the request" in page
    assert client.post(f"{base}/cancel", data={"reason": "Again"}).status_code == 409


def test_the_portal_refuses_nul_in_a_reply_and_a_reason(
    app: Any, client: Any, app_session: Session
) -> None:
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    sign_in(app, client, app_session, "teija@example.fi")
    base = f"/portal/cases/{case.reference}"
    reply = client.post(f"{base}/messages?lang=en", data={"body": "Hei\x00 there"})
    assert reply.status_code == 422
    assert "The message contains a control character" in text(reply)
    assert "there" in text(reply)
    reason = client.post(f"{base}/cancel?lang=sv", data={"reason": "Nej\x00"})
    assert reason.status_code == 422 and "styrtecken" in text(reason)
    app_session.expire_all()
    assert [m.body for m in app_session.get(type(case), case.id).messages] == []
    assert app_session.get(type(case), case.id).status == "new"


def test_another_organisation_is_never_shown(app: Any, client: Any, app_session: Session) -> None:
    mine = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    theirs = cases.submit_case(
        app_session, raw_submission(business_id=OTHER_ORG, email="olli@other.fi")
    )
    storage = storage_from_config(app.config)
    cases.employer_reply(
        app_session, theirs, "Liite", uploads=[Upload("a.pdf", f.PDF)], storage=storage
    )
    file_id = app_session.scalars(select(Attachment.id)).one()
    sign_in(app, client, app_session, "teija@example.fi")
    assert theirs.reference not in text(client.get("/portal/cases"))
    # By reference, by attachment URL (also through my own case's address).
    assert client.get(f"/portal/cases/{theirs.reference}").status_code == 404
    assert client.get(f"/portal/cases/{theirs.reference}/attachments/{file_id}").status_code == 404
    assert client.get(f"/portal/cases/{mine.reference}/attachments/{file_id}").status_code == 404
    assert (
        client.post(f"/portal/cases/{theirs.reference}/messages", data={"body": "x"}).status_code
        == 404
    )
    assert (
        client.post(f"/portal/cases/{theirs.reference}/cancel", data={"reason": "x"}).status_code
        == 404
    )
    # Token reuse: a used sign-in link does not open a second session.
    token = last_link_token(app, app_session)
    stranger = client.application.test_client()
    assert stranger.post(f"/portal/sign-in/{token}").status_code == 400
    assert stranger.get(f"/portal/cases/{mine.reference}").status_code == 303  # to sign in


def test_a_private_link_becomes_a_session(app: Any, client: Any, app_session: Session) -> None:
    case = cases.submit_case(app_session, raw_submission())
    response = client.get(f"/case/{case.raw_token}?lang=sv")
    assert response.status_code == 303 and response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Location"] == f"/portal/cases/{case.reference}?lang=sv"
    assert case.raw_token not in response.headers["Location"]
    assert "Vi har tagit emot din begäran" in text(client.get(response.headers["Location"]))
    # The signed link of an email does the same.
    signed = signed_links.employer_case_token(app.config["SECRET_KEY"], case.id, case.email)
    other = client.application.test_client()
    assert other.get(f"/case/{signed}").status_code == 303
    assert other.get(f"/portal/cases/{case.reference}").status_code == 200


def test_the_organisation_page_invites_and_removes(
    app: Any, client: Any, app_session: Session
) -> None:
    cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    pekka_case = cases.submit_case(app_session, raw_submission(email="pekka@example.fi"))
    sign_in(app, client, app_session, "teija@example.fi")
    pekka = client.application.test_client()
    sign_in(app, pekka, app_session, "pekka@example.fi")
    assert pekka.get("/portal/organisation").status_code == 403  # not the admin
    page = text(client.get("/portal/organisation?lang=en"))
    assert "pekka@example.fi" in page and "Invite a colleague" in page
    bad = client.post("/portal/organisation/invite?lang=en", data={"email": "maija at example"})
    assert bad.status_code == 422 and 'value="maija at example"' in text(bad)
    assert (
        client.post("/portal/organisation/invite", data={"email": "maija@example.fi"}).status_code
        == 303
    )
    assert "maija@example.fi" in text(client.get("/portal/organisation"))
    # The admin sees the colleague's case; removing the colleague cuts them off at once.
    assert pekka_case.reference in text(client.get("/portal/cases"))
    assert pekka.get(f"/portal/cases/{pekka_case.reference}").status_code == 200
    contact_id = re.search(r"/portal/organisation/contacts/(\d+)/remove", page)
    assert contact_id is not None
    removed = client.post(f"/portal/organisation/contacts/{contact_id.group(1)}/remove")
    assert removed.status_code == 303
    assert pekka.get(f"/portal/cases/{pekka_case.reference}").status_code == 303  # to sign in


def test_the_request_form_is_prefilled_for_a_contact(
    app: Any, client: Any, app_session: Session
) -> None:
    cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    sign_in(app, client, app_session, "teija@example.fi")
    page = text(client.get("/request"))
    assert 'value="teija@example.fi"' in page and 'value="0112038-9"' in page
    assert 'value="Orimattilan Metalli Oy"' in page and 'value="Teija Työnantaja"' in page


def test_the_language_switch_is_remembered(app: Any, client: Any, app_session: Session) -> None:
    from desk.models import Contact

    cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    sign_in(app, client, app_session, "teija@example.fi")
    app_session.expire_all()
    contact = app_session.scalars(select(Contact)).one()
    assert contact.language is None  # not chosen: emails keep the case's language
    client.get("/portal/cases?lang=sv")
    app_session.expire_all()
    assert app_session.scalars(select(Contact)).one().language == "sv"
