"""The public request form: validation messages, nothing typed is lost, CSRF."""

import re

from desk.app import create_app

VALID = {
    "business_id": "0112038-9",
    "organisation_name": "Hartolan Puu Oy",
    "contact_name": "Harri Hartolainen",
    "email": "harri@example.fi",
    "phone": "",
    "municipality": "081",
    "municipality_other": "",
    "need": "apprenticeship",
    "affected_employees": "",
    "description": "An apprentice carpenter from August.",
    "language": "en",
}


def test_form_lists_the_ten_municipalities_and_every_need(client) -> None:
    page = client.get("/request?lang=en").get_data(as_text=True)
    for code in ("398", "016", "081", "111", "098", "142", "316", "560", "576", "781"):
        assert f'value="{code}"' in page
    for need in (
        "recruitment",
        "job-ad",
        "pay-subsidy",
        "change-security",
        "international",
        "other",
    ):
        assert f'value="{need}"' in page
    assert '<label for="business_id">' in page


def test_invalid_input_shows_summary_and_field_errors_and_keeps_everything(client) -> None:
    data = {**VALID, "business_id": "0112038-8", "email": "harri(at)example.fi", "need": ""}
    response = client.post("/request?lang=en", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page
    assert (
        '<a href="#business_id">' in page
        and '<a href="#email">' in page
        and '<a href="#need">' in page
    )
    assert 'id="business_id-error"' in page
    assert "the check digit) does not match the others" in page
    # Everything typed is still there, including the invalid values.
    assert 'value="0112038-8"' in page
    assert 'value="harri(at)example.fi"' in page
    assert "An apprentice carpenter from August." in page
    assert re.search(r'value="081"\s+selected', page)


def test_valid_request_redirects_to_the_confirmation(client) -> None:
    response = client.post("/request", data=VALID)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.match(r"^/case/[A-Za-z0-9_-]{40,}\?submitted=1$", location)
    opened = client.get(location)
    # The token leaves the address bar: the case page is the portal's, by reference.
    assert opened.status_code == 303
    assert re.match(r"^/portal/cases/TP-\d{4}-000001\?submitted=1$", opened.headers["Location"])
    # The routing sentence in the reader's language.
    page = client.get(opened.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert re.search(r"TP-\d{4}-000001", page)
    assert "because the workplace is in Hartola (081)." in page
    assert "Päijät-Häme Employment Services" in page


def test_missing_csrf_token_is_refused_but_keeps_the_text(
    sqlite_url, sqlite_engine, tmp_path
) -> None:
    app = create_app(
        {"DATABASE_URL": sqlite_url, "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3")}
    )
    response = app.test_client().post("/request?lang=en", data=VALID)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your session expired" in page
    assert "An apprentice carpenter from August." in page
    app.extensions["desk.engine"].dispose()


def test_pages_are_offered_in_three_languages(client) -> None:
    page = client.get("/request?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Gustav Adolfs" in page  # Swedish municipality names
    assert '<html lang="fi">' in client.get("/request?lang=fi").get_data(as_text=True)
