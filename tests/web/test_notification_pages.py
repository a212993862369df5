"""The bell, the notification list and choices, the administrators' delivery pages, the
employer's email choices and the case page's "notifications sent"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from desk.app import create_app
from desk.models import OutboxMessage, WebhookSubscription
from desk.services import cases, outbox
from desk.services.notify import delivery, preferences
from desk.services.signed_links import email_choices_token
from tests.conftest import PASSWORD, login, raw_submission

CONFIG = {
    "BASE_URL": "http://desk.test",
    "SECRET_KEY": "test-secret",
    "MAIL_FROM": "Desk <desk@desk.invalid>",
}


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def admin(staff: Any) -> Any:
    return staff("admin@example.fi", role="admin", authority="lahti", teams=())


def status_of(app_session: Session, row_id: int) -> str:
    """Read a row's status and end the read (SQLite takes its write lock at BEGIN)."""
    app_session.expire_all()
    row = app_session.get(OutboxMessage, row_id)
    assert row is not None
    status = row.status
    app_session.commit()
    return status


def dead_row(app_session: Session, case_id: int) -> OutboxMessage:
    row = outbox.enqueue(app_session, "email.case_received", {"case_id": case_id})
    app_session.commit()
    outbox.mark_failed(app_session, row, "SMTPServerDisconnected: gone", max_attempts=1)
    return row


def test_the_bell_counts_unread_notifications(
    client: Any, app_session: Session, staff: Any
) -> None:
    staff("a@example.fi")
    first = cases.submit_case(app_session, raw_submission())
    cases.submit_case(app_session, raw_submission())
    login(client, "a@example.fi")
    queue = text(client.get("/staff/?lang=en"))
    assert re.search(r'data-testid="unread-count">2<span class="visually-hidden"> unread', queue)

    page = text(client.get("/notifications?lang=en"))
    assert "You have 2 unread notifications." in page
    assert page.count("New case in your team's queue") == 2
    assert first.reference in page
    ids = re.findall(r'name="id" value="(\d+)"', page)
    assert client.post("/notifications/read", data={"id": ids[-1]}).status_code == 303
    assert "You have 1 unread notification." in text(client.get("/notifications?lang=en"))
    assert client.post("/notifications/read", data={"all": "1"}).status_code == 303
    page = text(client.get("/notifications?lang=en"))
    assert "You have 0 unread notifications." in page
    assert 'data-testid="unread-count"' not in page


@pytest.mark.committed  # another connection (or the app's own engine) must see it
def test_the_bell_is_counted_once_per_request_and_only_where_it_shows(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    login(client, "a@example.fi")
    counts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"count\(.*FROM notifications", statement, re.S | re.I):
            counts.append(statement)

    engine = app.extensions["desk.engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for path in ("/staff/", f"/staff/cases/{case.reference}", "/notifications"):
            counts.clear()
            assert client.get(path).status_code == 200
            assert len(counts) == 1, path  # the inbox shows the count twice, reads it once
        counts.clear()
        client.post("/logout")
        assert client.get("/").status_code == 200
        assert counts == []  # nobody signed in: no bell, no query
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_nobody_marks_someone_elses_notification(
    client: Any, app_session: Session, staff: Any
) -> None:
    staff("a@example.fi")
    staff("b@example.fi")
    cases.submit_case(app_session, raw_submission())
    login(client, "b@example.fi")
    theirs = re.findall(r'name="id" value="(\d+)"', text(client.get("/notifications")))
    client.post("/logout")
    login(client, "a@example.fi")
    response = client.post("/notifications/read?lang=en", data={"id": theirs[0]})
    assert response.status_code == 404
    assert "That notification was not found." in text(response)
    assert client.post("/notifications/read", data={"id": "x"}).status_code == 404


def test_notification_pages_need_staff(client: Any) -> None:
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/settings").status_code == 302
    assert client.get("/admin/notifications").status_code == 302


def test_choices_are_saved_and_bad_input_keeps_the_rest(
    client: Any, app_session: Session, staff: Any
) -> None:
    user = staff("a@example.fi")
    login(client, "a@example.fi")
    page = text(client.get("/notifications/settings?lang=en"))
    assert 'id="pref-new_case-in_app" name="new_case" value="in_app" checked' in page
    assert (
        'id="pref-employer_replied-immediate" name="employer_replied" value="immediate" checked'
        in page
    )
    assert "Service level warning" in page

    form = {entry.key: "immediate" for entry, _ in preferences.choices_of(app_session, user.id)}
    app_session.commit()  # end the read: SQLite takes its write lock at BEGIN
    form.update(new_case="digest", sla_breach="pigeon")
    response = client.post("/notifications/settings?lang=en", data=form)
    page = text(response)
    assert response.status_code == 422
    assert "There is a problem" in page and "Choose one of the options" in page
    assert 'href="#pref-sla_breach-immediate"' in page
    assert 'id="pref-new_case-digest" name="new_case" value="digest" checked' in page  # kept

    form["sla_breach"] = "in_app"
    assert client.post("/notifications/settings", data=form).status_code == 303
    assert preferences.choice(app_session, user.id, "new_case") == "digest"
    assert preferences.choice(app_session, user.id, "sla_breach") == "in_app"
    app_session.commit()
    assert "Your notification choices are saved." in text(
        client.get("/notifications/settings?lang=en")
    )


def test_admin_sees_delivery_state_and_handles_dead_letters(
    client: Any, app_session: Session, staff: Any
) -> None:
    admin(staff)
    case = cases.submit_case(app_session, raw_submission(email="dead@example.fi"))
    row = dead_row(app_session, case.id)
    login(client, "admin@example.fi")

    page = text(client.get("/admin/notifications?lang=en"))
    assert "Failed (dead letter) (1)" in page and "Waiting to be sent (1)" in page
    assert "Request received (confirmation)" in page
    page = text(client.get("/admin/notifications?status=dead&lang=en"))
    assert "SMTPServerDisconnected: gone" in page

    page = text(client.get("/admin/notifications/dead-letters?lang=en"))
    assert "SMTPServerDisconnected: gone" in page
    assert f"/admin/notifications/{row.id}/retry" in page
    assert f"/admin/notifications/{row.id}/discard" in page

    response = client.post(f"/admin/notifications/{row.id}/retry")
    assert response.status_code == 303
    assert status_of(app_session, row.id) == "pending"
    response = client.post(f"/admin/notifications/{row.id}/discard?lang=en")
    assert response.status_code == 409
    assert "Only failed notifications can be retried or discarded." in text(response)
    assert client.post("/admin/notifications/999999/retry").status_code == 404
    assert client.post(f"/admin/notifications/{row.id}/explode").status_code == 404

    second = dead_row(app_session, case.id)
    assert client.post(f"/admin/notifications/{second.id}/discard").status_code == 303
    assert status_of(app_session, second.id) == "discarded"


def test_delivery_pages_are_for_administrators_only(client: Any, staff: Any) -> None:
    staff("a@example.fi")
    login(client, "a@example.fi")
    assert client.get("/admin/notifications").status_code == 403
    assert client.get("/admin/notifications/dead-letters").status_code == 403
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/notifications/1/retry").status_code == 403
    page = text(client.get("/staff/?lang=en"))
    assert ">Deliveries<" not in page


def test_webhook_subscriptions(client: Any, app_session: Session, staff: Any) -> None:
    admin(staff)
    login(client, "admin@example.fi")
    response = client.post(
        "/admin/webhooks?lang=en",
        data={"name": "CRM", "url": "ftp://crm.example.fi", "events": ["case.closed"]},
    )
    page = text(response)
    assert response.status_code == 422
    assert "Enter an address starting with https://" in page
    assert 'value="ftp://crm.example.fi"' in page and 'value="case.closed" checked' in page

    response = client.post(
        "/admin/webhooks?lang=en",
        data={"name": "CRM", "url": "https://crm.example.fi/desk", "events": ["case.closed"]},
    )
    assert response.status_code == 201
    (subscription,) = app_session.scalars(select(WebhookSubscription))
    app_session.commit()
    assert subscription.secret in text(response)  # shown once, now
    page = text(client.get("/admin/webhooks?lang=en"))
    assert subscription.secret not in page and "https://crm.example.fi/desk" in page

    base = f"/admin/webhooks/{subscription.id}"
    assert client.post(f"{base}/pause").status_code == 303
    app_session.expire_all()
    assert app_session.get(WebhookSubscription, subscription.id).active is False
    app_session.commit()
    assert client.post(f"{base}/resume").status_code == 303
    old_secret = subscription.secret
    rotated = client.post(f"{base}/rotate")
    app_session.expire_all()
    fresh = app_session.get(WebhookSubscription, subscription.id)
    assert fresh.secret != old_secret and fresh.secret in text(rotated)
    app_session.commit()
    assert client.post(f"{base}/delete").status_code == 303
    assert client.post(f"{base}/delete").status_code == 404
    assert client.post(f"{base}/bogus").status_code == 404


def test_the_case_page_shows_what_was_sent_to_whom(
    client: Any, app_session: Session, staff: Any
) -> None:
    staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    (row,) = app_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.case_received")
    )
    delivery.plan(app_session, row, CONFIG)  # commits  # what the worker does before sending
    outbox.mark_delivered(app_session, row)
    login(client, "a@example.fi")
    page = text(client.get(f"/staff/cases/{case.reference}?lang=en"))
    section = page[page.index("Notifications sent") :]
    assert "Request received (confirmation)" in section
    assert "→ teija@example.fi" in section and "Delivered" in section


def test_the_old_email_preferences_address_leads_to_the_signed_choices(
    client: Any, app_session: Session
) -> None:
    case = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    response = client.get(f"/case/{case.raw_token}/email-preferences?lang=en")
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    location = response.headers["Location"]
    assert location.startswith("/email-choices/") and case.raw_token not in location
    assert client.get(f"{location}?lang=en").status_code == 200
    assert client.get("/case/not-a-token/email-preferences").status_code == 404


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_notification_pages_render_in_every_language(
    client: Any, app_session: Session, staff: Any, language: str
) -> None:
    admin(staff)
    case = cases.submit_case(app_session, raw_submission())
    dead_row(app_session, case.id)
    login(client, "admin@example.fi")
    for path in (
        "/notifications",
        "/notifications/settings",
        "/admin/notifications",
        "/admin/notifications/dead-letters",
        "/admin/webhooks",
        f"/staff/cases/{case.reference}",
        "/email-choices/"
        + email_choices_token(client.application.config["SECRET_KEY"], case.id, case.email),
    ):
        response = client.get(f"{path}?lang={language}")
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in text(response)


@pytest.fixture
def csrf_app(sqlite_url: str, sqlite_engine: Engine, tmp_path: Path) -> Iterator[Any]:
    """The app with CSRF protection on, as in production."""
    from tests.conftest import _clean

    _clean(sqlite_engine)
    app = create_app(
        {"DATABASE_URL": sqlite_url, "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3")}
    )
    yield app
    app.extensions["desk.engine"].dispose()


def _token(client: Any, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(path)))
    assert found is not None
    return found.group(1)


def test_actions_refuse_a_missing_csrf_token(csrf_app: Any) -> None:
    from desk.services import users

    with csrf_app.extensions["desk.sessions"]() as session:
        users.upsert_user(
            session, email="admin@example.fi", name="Admin", password=PASSWORD, role="admin",
            authority="lahti", teams=[], languages=["en"],
        )  # fmt: skip
        session.commit()
        case = cases.submit_case(session, raw_submission())
        row = dead_row(session, case.id)
    client = csrf_app.test_client()
    token = _token(client, "/login")
    client.post(
        "/login", data={"email": "admin@example.fi", "password": PASSWORD, "csrf_token": token}
    )

    response = client.post(f"/admin/notifications/{row.id}/retry?lang=en")
    assert response.status_code == 400 and "Your session expired" in text(response)
    response = client.post("/notifications/settings?lang=en", data={"new_case": "digest"})
    assert response.status_code == 400
    assert 'value="digest" checked' in text(response)  # what was chosen is kept
    response = client.post("/admin/webhooks?lang=en", data={"name": "CRM", "url": "https://x.fi"})
    assert response.status_code == 400 and 'value="https://x.fi"' in text(response)
    with csrf_app.extensions["desk.sessions"]() as session:
        assert session.get(OutboxMessage, row.id).status == "dead"
        assert session.scalars(select(WebhookSubscription)).all() == []

    token = _token(client, "/admin/notifications/dead-letters")
    response = client.post(f"/admin/notifications/{row.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
