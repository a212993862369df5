"""SLA on the pages: case targets, queue order, the employer's dates, processing times, admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.domain.business_calendar import default_calendar
from desk.models import ClosureDay, SlaPolicy, utcnow
from desk.services import cases
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff


def submit(app_session, **changes):
    return cases.submit_case(app_session, raw_submission(**changes))


def backdated(app_session, business_minutes: int, **changes):
    """A case received the given business minutes ago."""
    now = utcnow()
    start = default_calendar().subtract_business_time(now, timedelta(minutes=business_minutes))
    return cases.submit_case(app_session, raw_submission(**changes), now=start)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_case_page_shows_each_target(client, app_session, staff) -> None:
    staff("a@example.fi")
    at_risk = backdated(app_session, 400)
    late = backdated(app_session, 300, need="change-security")
    login(client, "a@example.fi")

    page = text(client.get(f"/staff/cases/{at_risk.reference}?lang=en"))
    assert "Service levels" in page
    first = re.search(r'data-testid="sla-first_response">(.*?)</tr>', page).group(1)
    assert "At risk" in first and "1 h 20 min" in first
    resolution = re.search(r'data-testid="sla-resolution">(.*?)</tr>', page).group(1)
    assert "On track" in resolution and "9 business days 1 h 20 min" in resolution

    page = text(client.get(f"/staff/cases/{late.reference}?lang=en"))
    first = re.search(r'data-testid="sla-first_response">(.*?)</tr>', page).group(1)
    assert "Breached" in first and "overdue by 1 h" in first

    client.post(f"/staff/cases/{at_risk.reference}/reply", data={"body": "Hello!"})
    client.post(f"/staff/cases/{at_risk.reference}/status", data={"status": "waiting"})
    page = text(client.get(f"/staff/cases/{at_risk.reference}?lang=en"))
    assert re.search(r'data-testid="sla-first_response">.*?Met', page)
    resolution = re.search(r'data-testid="sla-resolution">(.*?)</tr>', page).group(1)
    assert "Paused" in resolution and "clock paused" in resolution


def test_the_queue_sorts_by_nearest_due_time(client, app_session, staff) -> None:
    staff("a@example.fi")
    older = backdated(app_session, 60)
    urgent = backdated(app_session, 30, need="change-security")
    login(client, "a@example.fi")
    page = client.get("/staff/?sort=received&lang=en").get_data(as_text=True)
    assert page.index(older.reference) < page.index(urgent.reference)
    # Nearest due time first is the queue's default order now.
    page = client.get("/staff/?lang=en").get_data(as_text=True)
    assert page.index(urgent.reference) < page.index(older.reference)
    page = client.get("/staff/?sort=due&lang=en").get_data(as_text=True)
    assert page.index(urgent.reference) < page.index(older.reference)
    assert 'aria-current="true">Nearest due time first' in page
    assert "Next due" in page


def test_the_employer_sees_expected_dates(client, app_session, staff) -> None:
    adviser = staff("a@example.fi")
    case = submit(app_session)
    page = text(client.get(f"/case/{case.raw_token}?lang=en", follow_redirects=True))
    assert "Expected dates" in page
    first = re.search(r'data-testid="expected-first_response">(.*?)</div>', page).group(1)
    assert "at the latest" in first
    assert 'href="/processing-times"' in page

    cases.change_status(app_session, as_staff(adviser), case.id, "waiting")
    page = text(client.get(f"/case/{case.raw_token}?lang=en", follow_redirects=True))
    assert "On hold while we wait for your answer" in page


@pytest.mark.parametrize(
    ("lang", "need", "four_hours", "ten_days"),
    [
        ("fi", "Lomautukset ja muutosturva", "4 työtuntia", "10 työpäivää"),
        ("sv", "Permitteringar och omställningsskydd", "4 arbetstimmar", "10 arbetsdagar"),
        ("en", "Lay-offs and change security", "4 business hours", "10 business days"),
    ],
)
def test_processing_times_page_in_three_languages(client, lang, need, four_hours, ten_days):
    response = client.get(f"/processing-times?lang={lang}")
    assert response.status_code == 200
    page = text(response)
    assert f'<html lang="{lang}">' in page
    row = re.search(rf"{re.escape(need)}.*?</tr>", page).group(0)
    assert four_hours in row
    assert ten_days in page  # recruitment and others


def test_processing_times_are_linked_from_every_page(client) -> None:
    assert 'href="/processing-times"' in client.get("/").get_data(as_text=True)


def test_sla_settings_are_for_admins_only(client, staff) -> None:
    staff("a@example.fi")
    login(client, "a@example.fi")
    assert client.get("/admin/sla").status_code == 403
    assert client.post("/admin/sla/policies/job-ad", data={}).status_code == 403
    client.post("/logout")
    assert client.get("/admin/sla").status_code == 302  # to the sign-in page


def test_an_admin_changes_a_policy_as_a_new_version(client, app_session, staff) -> None:
    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    page = client.get("/admin/sla?lang=en").get_data(as_text=True)
    assert "/admin/sla/policies/job-ad" in page
    assert client.get("/admin/sla/policies/job-ad?lang=en").status_code == 200
    assert client.get("/admin/sla/policies/nope").status_code == 404

    bad = {"first_response_minutes": "abc", "resolution_minutes": "", "warning_percent": "120"}
    response = client.post("/admin/sla/policies/job-ad?lang=en", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter a whole number, like 480" in page
    assert 'value="abc"' in page and 'value="120"' in page  # nothing typed is lost

    good = {"first_response_minutes": "240", "resolution_minutes": "960", "warning_percent": "80"}
    response = client.post("/admin/sla/policies/job-ad?lang=en", data=good)
    assert response.status_code == 303
    versions = app_session.scalars(
        select(SlaPolicy).where(SlaPolicy.need_code == "job-ad").order_by(SlaPolicy.version)
    ).all()
    assert [(v.version, v.first_response_minutes) for v in versions] == [(1, 480), (2, 240)]
    app_session.rollback()  # end the read: SQLite has one writer, and the app is next
    page = client.get("/processing-times?lang=en").get_data(as_text=True)
    assert re.search(r"Job ad.*?4 business hours", page, re.S)

    response = client.post("/admin/sla/policies/job-ad?lang=en", data=good)
    assert response.status_code == 409
    assert "already has these values" in response.get_data(as_text=True)


def test_an_admin_adds_and_removes_closure_days(client, app_session, staff) -> None:
    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    response = client.post("/admin/sla/closures?lang=en", data={"day": "31.12.2099", "note": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD" in page and 'value="31.12.2099"' in page
    assert client.post("/admin/sla/closures?lang=en", data={"day": ""}).status_code == 422
    bad_authority = {"day": "2099-12-30", "authority": "tampere"}
    assert client.post("/admin/sla/closures?lang=en", data=bad_authority).status_code == 422

    data = {"day": "2099-12-30", "authority": "lahti", "note": "Staff day"}
    assert client.post("/admin/sla/closures", data=data).status_code == 303
    assert client.post("/admin/sla/closures?lang=en", data=data).status_code == 409
    (closure,) = app_session.scalars(select(ClosureDay)).all()
    assert (str(closure.day), closure.authority_slug, closure.note) == (
        "2099-12-30",
        "lahti",
        "Staff day",
    )
    closure_id = closure.id
    app_session.rollback()
    page = client.get("/admin/sla?lang=en").get_data(as_text=True)
    assert "2099-12-30" in page and "Staff day" in page
    assert client.post(f"/admin/sla/closures/{closure_id}/remove").status_code == 303
    assert client.post(f"/admin/sla/closures/{closure_id}/remove").status_code == 404
    app_session.expire_all()
    assert app_session.scalars(select(ClosureDay)).all() == []


def test_an_expired_form_keeps_what_the_admin_typed(app, client, staff) -> None:
    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/admin/sla/closures?lang=en", data={"day": "2099-12-30", "note": "Kept note"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your session expired" in page and 'value="Kept note"' in page


def test_sla_emails_go_to_the_staff_member_in_their_language(app, app_session, staff) -> None:
    from desk.models import OutboxMessage
    from desk.services.notify.emails import email_for
    from workers.tasks import render_email

    english = staff("a@example.fi")
    english.ui_language = "en"
    swede = staff("b@example.fi")
    swede.ui_language = "sv"
    app_session.commit()
    case = submit(app_session)
    words = {
        "email.sla_warning": "At risk: resolution of case",
        "email.sla_breach": "Overdue: resolution of case",
        "email.sla_escalation": "Escalation: resolution of case",
    }
    with app.app_context():
        for kind, words_in_subject in words.items():
            for user in (english, swede):
                payload = {"case_id": case.id, "target": "resolution", "user_id": user.id}
                spec = email_for(app_session, OutboxMessage(kind=kind, payload=payload), "http://t")
                assert (spec.to, spec.language) == (user.email, user.ui_language)
                subject, body, html = render_email(spec)
                assert case.reference in subject
                assert f"http://t/staff/cases/{case.reference}" in body
                assert f"http://t/staff/cases/{case.reference}" in html
                if user is english:
                    assert subject.startswith(words_in_subject)
                    assert case.organisation_name in body
