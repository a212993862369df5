"""Attachments on the request form and the employer's reply, downloads, several workplaces,
and one case per submission."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from desk.models import Attachment, Case
from desk.services import cases
from tests.conftest import login, raw_submission
from tests.support import sample_files as f
from tests.web.test_public_form import VALID

KEY = "form-key-" + "a" * 24


def form(**changes):
    return {**VALID, "submission_key": KEY, **changes}


def with_files(data, *files):
    return {**data, "attachments": [(io.BytesIO(content), name) for name, content in files]}


def count(app_session, model) -> int:
    return app_session.scalar(select(func.count()).select_from(model))


def test_form_is_multipart_with_a_one_time_key_workplaces_and_a_file_input(client) -> None:
    page = client.get("/request?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'name="submission_key" value="[A-Za-z0-9_-]{20,}"', page)
    assert '<label for="attachments">Attachments (optional)</label>' in page
    assert "At most 5 files, each at most 10 MB, 25 MB together." in page
    for n in range(2, 6):  # without JavaScript every row is there
        assert f'<label for="workplace_{n}_municipality">' in page
    assert "The office of the first workplace above handles your whole request." in page


def test_submitting_with_attachments_and_workplaces(client, app_session) -> None:
    data = form(
        workplace_address="Tehdas", workplace_2_municipality="398", workplace_2_address="Varasto"
    )
    response = client.post(
        "/request", data=with_files(data, ("Kuva.png", f.PNG), ("Sopimus.docx", f.DOCX))
    )
    assert response.status_code == 303
    case = app_session.scalars(select(Case)).one()
    assert [a.name for a in case.attachments] == ["Kuva.png", "Sopimus.docx"]
    assert [(w.position, w.municipality_code, w.address) for w in case.workplaces] == [
        (1, "081", "Tehdas"),
        (2, "398", "Varasto"),
    ]
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Kuva.png" in page.get_data(as_text=True)


def test_a_disallowed_file_is_refused_and_everything_typed_is_kept(client, app_session) -> None:
    data = form(workplace_2_municipality="398", workplace_2_address="Varasto")
    response = client.post("/request?lang=en", data=with_files(data, ("invoice.pdf", f.EXE)))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#attachments">A file is not of an accepted type' in page
    assert 'id="attachments-error"' in page and "choose the files again" in page
    assert "An apprentice carpenter from August." in page
    assert 'value="Varasto"' in page and f'value="{KEY}"' in page
    assert count(app_session, Case) == 0


def test_an_oversized_file_is_a_field_error_with_the_form_kept(client, app) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    big = f.PDF + b"x" * 200
    response = client.post("/request?lang=en", data=with_files(form(), ("big.pdf", big)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A file is larger than allowed." in page
    assert "An apprentice carpenter from August." in page


def test_a_body_above_the_request_limit_gets_the_translated_413_page(client, app) -> None:
    app.config["ATTACHMENT_REQUEST_MAX_BYTES"] = 2000
    data = with_files(form(), ("big.pdf", f.PDF + b"x" * 5000))
    response = client.post("/request?lang=en", data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The message is too large" in page
    assert "nothing was saved and we could not keep what you typed" in page
    assert "at most 10 MB each, 25 MB together" in page
    data = with_files(form(), ("big.pdf", f.PDF + b"x" * 5000))
    finnish = client.post("/request?lang=fi", data=data).get_data(as_text=True)
    assert "Takaisin-painikkeella" in finnish


def test_a_double_click_makes_one_case(client, app_session) -> None:
    first = client.post("/request", data=with_files(form(), ("a.pdf", f.PDF)))
    second = client.post("/request", data=with_files(form(), ("a.pdf", f.PDF)))
    assert first.status_code == second.status_code == 303
    # The first answer holds the raw token, the second a signed link to the same case.
    opened = [client.get(r.headers["Location"]).headers["Location"] for r in (first, second)]
    assert opened[0] == opened[1]
    assert count(app_session, Case) == 1 and count(app_session, Attachment) == 1


def test_employer_reply_with_an_attachment_and_the_download(client, app_session) -> None:
    case = cases.submit_case(app_session, raw_submission())
    assert client.get(f"/case/{case.raw_token}").status_code == 303  # the grant
    base = f"/portal/cases/{case.reference}"
    response = client.post(
        f"{base}/messages", data=with_files({"body": "Liitteenä."}, ("Työsopimus ä.pdf", f.PDF))
    )
    assert response.status_code == 303
    row = app_session.scalars(select(Attachment)).one()
    assert row.message_id is not None
    page = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert f'href="{base}/attachments/{row.id}"' in page
    download = client.get(f"{base}/attachments/{row.id}")
    assert download.status_code == 200
    assert download.data == f.PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Tyosopimus a.pdf\"; filename*=UTF-8''Ty%C3%B6sopimus%20%C3%A4.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    other = cases.submit_case(app_session, raw_submission())
    # Another case's page does not lend its files, opened or not.
    other_url = f"/portal/cases/{other.reference}/attachments/{row.id}"
    assert client.get(other_url).status_code == 404
    client.get(f"/case/{other.raw_token}")
    assert client.get(other_url).status_code == 404
    assert client.application.test_client().get(f"{base}/attachments/{row.id}").status_code == 404


def test_employer_reply_with_a_refused_file_keeps_the_message(client, app_session) -> None:
    case = cases.submit_case(app_session, raw_submission())
    client.get(f"/case/{case.raw_token}")
    response = client.post(
        f"/portal/cases/{case.reference}/messages?lang=en",
        data=with_files({"body": "Kirjoitin tämän."}, ("x.pdf", f.ELF)),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kirjoitin tämän." in page and '<a href="#attachments">' in page
    assert count(app_session, Attachment) == 0


def test_staff_see_and_download_only_where_they_may_view(client, app_session, staff) -> None:
    staff("a@example.fi")
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    case = cases.submit_case(app_session, raw_submission())
    client.get(f"/case/{case.raw_token}")
    client.post(
        f"/portal/cases/{case.reference}/messages",
        data=with_files({"body": "Liite."}, ("muistio.txt", f.TEXT)),
    )
    row = app_session.scalars(select(Attachment)).one()
    url = f"/staff/cases/{case.reference}/attachments/{row.id}"
    assert client.get(url).status_code == 302  # sign in first
    login(client, "a@example.fi")
    page = client.get(f"/staff/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert f'href="{url}"' in page and "muistio.txt" in page
    download = client.get(url)
    assert download.status_code == 200 and download.data == f.TEXT
    assert download.headers["Content-Type"].startswith("text/plain")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    other = cases.submit_case(app_session, raw_submission())
    assert client.get(f"/staff/cases/{other.reference}/attachments/{row.id}").status_code == 404
    client.post("/logout")
    login(client, "lahti@example.fi")
    assert client.get(url).status_code == 404


def test_staff_reply_with_an_attachment_reaches_the_employer(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}"
    refused = client.post(
        f"{base}/reply?lang=en", data=with_files({"body": "Katso liite."}, ("x.pdf", f.EXE))
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="reply_attachments-error"' in page and "Katso liite." in page
    response = client.post(
        f"{base}/reply", data=with_files({"body": "Katso liite."}, ("Ohje.pdf", f.PDF))
    )
    assert response.status_code == 303
    row = app_session.scalars(select(Attachment)).one()
    assert row.uploaded_by_kind == "staff" and row.uploaded_by_id is not None
    employer = client.application.test_client()
    page = employer.get(f"/case/{case.raw_token}?lang=en", follow_redirects=True)
    assert "Ohje.pdf" in page.get_data(as_text=True)
    download = employer.get(f"/portal/cases/{case.reference}/attachments/{row.id}")
    assert download.data == f.PDF
