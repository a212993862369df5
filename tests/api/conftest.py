"""Fixtures of the API tests: tokens for staff members, JSON requests, a valid submission."""

from __future__ import annotations

from typing import Any

import pytest

from desk.services import api_tokens, users
from tests.conftest import PASSWORD
from tests.support.actors import as_staff

PH = "paijat-hame-employer-services"
LAHTI = "lahti-employer-services"

VALID = {
    "business_id": "0112038-9",
    "organisation_name": "Orimattilan Metalli Oy",
    "contact_name": "Teija Työnantaja",
    "email": "teija@example.fi",
    "phone": "+358 40 123 4567",
    "municipality": "Orimattila",
    "need": "recruitment",
    "description": "We need three welders from January.",
    "language": "en",
}


def submission(**changes: Any) -> dict[str, Any]:
    """A valid API submission (Orimattila: Päijät-Häme employer services), changed."""
    body = dict(VALID)
    for name, value in changes.items():
        if value is ...:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """Assert a problem+json response of this status and type; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert body["type"] == f"/api/v1/problems/{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["instance"]
    return body


def fields(body: dict[str, Any]) -> dict[str, str]:
    """The problem's invalid fields: name -> code."""
    return {error["field"]: error["code"] for error in body.get("errors", [])}


@pytest.fixture
def admin_user(app_session):
    user = users.upsert_user(
        app_session,
        email="admin@example.fi",
        name="Admin",
        password=PASSWORD,
        role="admin",
        authority="lahti",
        teams=[],
        languages=["fi"],
    )
    app_session.commit()
    return user


@pytest.fixture
def token_for(app_session, admin_user):
    """A bearer header for a staff member's new token with these scopes."""

    def make(user: Any, scopes: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
        created = api_tokens.create_token(
            app_session, as_staff(admin_user), user.id, "test", list(scopes)
        )
        return {"Authorization": f"Bearer {created.secret}"}

    return make


@pytest.fixture
def submitted(client):
    """Submit through the API; returns the receipt."""

    def make(**changes: Any) -> dict[str, Any]:
        response = client.post("/api/v1/cases", json=submission(**changes))
        assert response.status_code == 201, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body

    return make
