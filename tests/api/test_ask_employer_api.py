"""Asking the employer through the staff API: one message, one email, the case waits."""

from sqlalchemy import select

from desk.models import OutboxMessage
from desk.services import cases
from tests.conftest import raw_submission


def test_asking_through_the_api_sends_one_email(client, app_session, staff, token_for) -> None:
    adviser = staff("ph@example.fi")
    auth = token_for(adviser)
    case = cases.submit_case(app_session, raw_submission())
    base = f"/api/v1/staff/cases/{case.reference}"
    empty = client.post(f"{base}/questions", json={"body": " "}, headers=auth)
    assert empty.status_code == 422
    asked = client.post(f"{base}/questions", json={"body": "Which weeks?"}, headers=auth)
    assert asked.status_code == 201 and asked.get_json()["body"] == "Which weeks?"
    assert client.get(base, headers=auth).get_json()["status"] == "waiting"
    kinds = app_session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert [kind for kind in kinds if kind.startswith("email.")] == [
        "email.case_received",
        "email.information_requested",
    ]
