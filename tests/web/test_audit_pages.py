"""The access log in use: sign-ins, views, exports and admin changes are recorded; managers
query it on /reports/audit; administrators answer data-subject requests."""

from __future__ import annotations

import json

from sqlalchemy import select

from desk.models import AuditEntry
from desk.services import api_tokens, audit, cases
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff


def _last(app_session, action: str) -> AuditEntry:
    app_session.expire_all()
    entry = app_session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None, action
    return entry


def test_sign_ins_are_recorded_failed_ones_with_the_email_typed(client, app_session, staff) -> None:
    staff("a@example.fi")
    login(client, "A@example.fi", "wrong password")
    failed = _last(app_session, audit.Action.SIGN_IN_FAILED)
    assert (failed.actor_kind, failed.actor_email, failed.ip) == (
        "anonymous",
        "a@example.fi",
        "127.0.0.1",
    )
    assert login(client, "a@example.fi").status_code == 302
    assert _last(app_session, audit.Action.SIGN_IN).actor_email == "a@example.fi"


def test_case_page_employer_page_and_search_views_are_recorded(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    login(client, "a@example.fi")
    assert client.get(f"/staff/cases/{case.reference}").status_code == 200
    viewed = _last(app_session, audit.Action.CASE_VIEW)
    assert (viewed.object_id, viewed.subject_email, viewed.channel) == (
        case.reference,
        "teija@example.fi",
        "web",
    )
    assert client.get(f"/staff/employers/{case.business_id}").status_code == 200
    assert _last(app_session, audit.Action.EMPLOYER_VIEW).details["cases"] == [case.reference]
    assert client.get("/staff/search?q=Teija").status_code == 200
    searched = _last(app_session, audit.Action.SEARCH)
    assert searched.details == {"q": "Teija", "cases": [case.reference]}
    # Nothing seen, nothing recorded: a case the adviser may not open.
    lahti = cases.submit_case(app_session, raw_submission(municipality="Lahti"))
    assert client.get(f"/staff/cases/{lahti.reference}").status_code == 404
    assert audit.for_case(app_session, lahti.reference) == []


def test_the_api_case_read_is_recorded(client, app_session, staff) -> None:
    adviser = staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    created = api_tokens.create_token(
        app_session,
        as_staff(staff("boss@example.fi", role="admin", teams=())),
        adviser.id,
        "t",
        ["read"],
    )
    response = client.get(
        f"/api/v1/staff/cases/{case.reference}",
        headers={"Authorization": f"Bearer {created.secret}"},
    )
    assert response.status_code == 200
    entry = _last(app_session, audit.Action.CASE_VIEW)
    assert (entry.object_id, entry.channel, entry.actor_email) == (
        case.reference,
        "api",
        "a@example.fi",
    )


def test_exports_and_admin_changes_are_recorded(client, app_session, staff) -> None:
    staff("boss@example.fi", role="admin", teams=())
    login(client, "boss@example.fi")
    assert client.get("/reports/export.csv?from=2026-01-01&to=2026-01-31").status_code == 200
    assert _last(app_session, audit.Action.EXPORT).details["format"] == "csv"
    response = client.post(
        "/admin/sla/closures", data={"day": "2027-12-28", "authority": "lahti", "note": "Closed"}
    )
    assert response.status_code < 400, response.get_data(as_text=True)[:500]
    change = _last(app_session, audit.Action.CONFIG_CHANGE)
    assert change.object_type == "endpoint" and change.details["form"]["day"] == "2027-12-28"


def test_managers_query_per_case_and_person_paged(client, app_session, staff) -> None:
    staff("manager@example.fi", role="manager", teams=())
    case = cases.submit_case(app_session, raw_submission(email="paged@example.fi"))
    actor = as_staff(staff("a@example.fi"))
    for _ in range(55):
        audit.record(app_session, actor, audit.Action.CASE_VIEW, audit.Target.case(case))
    app_session.commit()
    login(client, "manager@example.fi")
    first = client.get(f"/reports/audit?case={case.reference}&lang=en")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and page.count("<code>case.view</code>") == 50
    older = page.split('href="/reports/audit?')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/reports/audit?{older}").get_data(as_text=True)
    assert second.count("<code>case.view</code>") == 5
    by_person = client.get("/reports/audit?person=PAGED@example.fi").get_data(as_text=True)
    assert by_person.count("<code>case.view</code>") == 50
    assert _last(app_session, audit.Action.AUDIT_QUERY).actor_email == "manager@example.fi"
    bad = client.get("/reports/audit?case=x&person=y&lang=en")
    assert bad.status_code == 400 and "not both" in bad.get_data(as_text=True)
    assert client.get("/reports/audit?before=abc").status_code == 400


def test_advisers_may_not_read_the_log(client, staff) -> None:
    staff("a@example.fi")
    login(client, "a@example.fi")
    assert client.get("/reports/audit").status_code == 403


def test_data_subject_page_exports_and_erases(client, app_session, staff) -> None:
    staff("boss@example.fi", role="admin", teams=())
    case = cases.submit_case(app_session, raw_submission(email="subject@example.fi"))
    login(client, "boss@example.fi")
    assert client.get("/admin/data-subjects/?lang=en").status_code == 200
    bad = client.post(
        "/admin/data-subjects/", data={"email": "not an address"}, query_string={"lang": "en"}
    )
    assert bad.status_code == 422 and 'value="not an address"' in bad.get_data(as_text=True)
    found = client.post("/admin/data-subjects/", data={"email": "Subject@example.fi"})
    assert found.status_code == 200 and case.reference in found.get_data(as_text=True)
    exported = client.post(
        "/admin/data-subjects/export", data={"email": "subject@example.fi", "format": "json"}
    )
    assert exported.mimetype == "application/json"
    assert json.loads(exported.data)["cases"][0]["reference"] == case.reference
    html = client.post(
        "/admin/data-subjects/export", data={"email": "subject@example.fi", "format": "html"}
    )
    assert html.mimetype == "text/html" and case.reference in html.get_data(as_text=True)
    # The case is new: erasing waits; then, finished, the case is anonymised.
    refused = client.post(
        "/admin/data-subjects/erase",
        data={"email": "subject@example.fi", "confirm": "yes"},
        query_string={"lang": "en"},
    )
    assert refused.status_code == 409 and case.reference in refused.get_data(as_text=True)
    unconfirmed = client.post("/admin/data-subjects/erase", data={"email": "subject@example.fi"})
    assert unconfirmed.status_code == 422
    case.status = "closed"
    app_session.commit()
    done = client.post(
        "/admin/data-subjects/erase", data={"email": "subject@example.fi", "confirm": "yes"}
    )
    assert done.status_code == 303
    app_session.expire_all()
    assert case.email == "" and case.contact_name == "[anonymised]"
    assert _last(app_session, audit.Action.SUBJECT_ERASE).details["cases"] == [case.reference]
