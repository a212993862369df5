"""`<script>` typed into every field of the request form and the API, and into every message,
is shown only escaped on every page it reaches and in every email the desk renders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from desk.domain.intake import FIELDS
from desk.models import Case, OutboxMessage
from desk.services import case_tokens
from desk.services.notify.emails import email_for
from tests.api.conftest import VALID
from tests.conftest import login, raw_submission
from workers.tasks import render_email

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Free-text fields that a valid request may hold the markup in (the rest are checked codes).
FREE_TEXT = ("organisation_name", "contact_name", "description", "workplace_address")
CHECKED: list[str] = []


def _only_escaped(where: str, html: str, must_show: bool = True) -> None:
    CHECKED.append(where)
    assert SCRIPT not in html, f"{where}: unescaped markup"
    if must_show:
        assert ESCAPED in html, f"{where}: the markup is not shown at all"


def _web_case(client: Any, app_session: Any) -> Case:
    data = {
        **{k: v for k, v in raw_submission().__dict__.items() if k in FIELDS},
        **{name: f"{SCRIPT} {name}" for name in FREE_TEXT},
    }
    response = client.post("/request?lang=en", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    token = response.headers["Location"].split("/case/")[1].split("?")[0]
    case = case_tokens.lookup(app_session, token)
    assert case is not None
    case.raw_token = token  # what the employer's browser was sent to
    return case


def test_markup_everywhere_is_escaped(client, app_session, staff) -> None:
    # Every field hostile: the form comes back with what was typed, escaped.
    refused = client.post("/request?lang=en", data={name: SCRIPT for name in FIELDS})
    assert refused.status_code == 422
    _only_escaped("request form with errors", refused.get_data(as_text=True))

    web_case = _web_case(client, app_session)
    api = client.post(
        "/api/v1/cases", json={**VALID, **{n: f"{SCRIPT} {n}" for n in FREE_TEXT[:3]}}
    )
    assert api.status_code == 201, api.get_data(as_text=True)
    receipt = api.get_json()
    api_case = app_session.scalar(select(Case).where(Case.reference == receipt["reference"]))

    # The employer writes through both doors.
    employer = client.application.test_client()
    employer.get(f"/case/{web_case.raw_token}")  # the private link: a session grant
    assert (
        employer.post(
            f"/portal/cases/{web_case.reference}/messages", data={"body": SCRIPT}
        ).status_code
        < 400
    )
    answer = employer.post(
        f"/api/v1/cases/{api_case.reference}/messages",
        json={"body": SCRIPT},
        headers={"X-Case-Token": receipt["case_token"]},
    )
    assert answer.status_code in (201, 409), answer.get_data(as_text=True)
    _only_escaped(
        "employer page", employer.get(f"/portal/cases/{web_case.reference}").get_data(as_text=True)
    )

    # Staff read and answer: case pages, queue, employer overview, search, access log.
    staff("a@example.fi")
    staff("boss@example.fi", role="admin", teams=())
    login(client, "a@example.fi")
    for case in (web_case, api_case):
        base = f"/staff/cases/{case.reference}"
        assert client.post(f"{base}/note", data={"body": SCRIPT}).status_code == 303
        assert client.post(f"{base}/reply", data={"body": SCRIPT}).status_code == 303
        _only_escaped(f"staff case page {case.reference}", client.get(base).get_data(as_text=True))
    _only_escaped("queue", client.get("/staff/").get_data(as_text=True))
    _only_escaped(
        "employer overview",
        client.get(f"/staff/employers/{web_case.business_id}").get_data(as_text=True),
    )
    _only_escaped(
        "search", client.get("/staff/search", query_string={"q": "alert"}).get_data(as_text=True)
    )
    _only_escaped(
        "search echo",
        client.get("/staff/search", query_string={"q": SCRIPT}).get_data(as_text=True),
    )
    client.post("/logout")
    login(client, "boss@example.fi")
    _only_escaped(
        "access log",
        client.get("/reports/audit", query_string={"person": SCRIPT}).get_data(as_text=True),
    )
    found = client.post("/admin/data-subjects/", data={"email": web_case.email})
    _only_escaped("data-subject page", found.get_data(as_text=True))
    exported = client.post(
        "/admin/data-subjects/export", data={"email": web_case.email, "format": "html"}
    )
    _only_escaped("data-subject HTML export", exported.get_data(as_text=True))

    # Every email the desk queued about them, rendered as the worker would.
    rows = app_session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id.in_([web_case.id, api_case.id]), OutboxMessage.channel == "email"
        )
    ).all()
    assert len(rows) >= 3
    shown = []
    with client.application.app_context():
        for row in rows:
            _subject, _text, html = render_email(email_for(app_session, row, "http://desk.test"))
            _only_escaped(f"email {row.kind}", html, must_show=False)
            shown.append(ESCAPED in html)
    assert any(shown), "no email shows the typed text: the check above proves nothing"
    print(f"\nmarkup checked on {len(CHECKED)} pages and emails: {CHECKED}")
