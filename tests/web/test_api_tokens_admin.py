"""The administrators' API tokens page: create (shown once), validate, revoke."""

import hashlib
import re

import pytest
from sqlalchemy import select

from desk.models import ApiToken
from tests.conftest import login

TOKEN = re.compile(r"desk_[A-Za-z0-9_-]{43}")


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(client, staff):
    staff("admin@example.fi", role="admin", authority="lahti", teams=())
    login(client, "admin@example.fi")
    return client


def test_only_administrators_see_the_page(client, staff):
    assert client.get("/admin/api-tokens/").status_code == 302  # to the sign-in
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    assert client.get("/admin/api-tokens/").status_code == 403
    assert client.post("/admin/api-tokens/", data={}).status_code == 403


def test_a_new_token_is_shown_once_and_works(admin, staff, app_session):
    adviser_id = staff("ph@example.fi").id
    html = page(admin.get("/admin/api-tokens/?lang=en"))
    assert "No tokens yet." in html and 'href="/api/v1/docs"' in html
    response = admin.post(
        "/admin/api-tokens/?lang=en",
        data={"user": str(adviser_id), "name": "Orimattila website", "scopes": ["read", "write"]},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    secret = TOKEN.search(html).group(0)
    assert "Copy the new token now" in html and f"Bearer {secret}" in html
    stored = app_session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.user_id == adviser_id and stored.scopes == "read,write"
    app_session.rollback()  # on SQLite an open transaction would hold the write lock

    listing = page(admin.get("/admin/api-tokens/?lang=en"))
    assert secret not in listing  # never again
    assert "Orimattila website" in listing and f"{secret[:12]}…" in listing and "Never" in listing

    api = admin.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/staff/me", headers=headers).get_json()["user"]["id"] == adviser_id
    assert "Never" not in page(admin.get("/admin/api-tokens/?lang=en"))  # last use shown


def test_invalid_input_is_explained_and_kept(admin):
    response = admin.post(
        "/admin/api-tokens/?lang=en", data={"user": "", "name": "Kept name", "scopes": []}
    )
    assert response.status_code == 422
    html = page(response)
    assert "There is a problem" in html
    assert "Select the staff member the token acts as" in html
    assert "Select at least one scope" in html
    assert 'value="Kept name"' in html
    assert not TOKEN.search(html)


def test_an_expired_form_is_400_and_keeps_the_input(app, client, staff):
    staff("admin@example.fi", role="admin", authority="lahti", teams=())
    login(client, "admin@example.fi")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/admin/api-tokens/?lang=en", data={"name": "Kept", "scopes": ["read"]})
    assert response.status_code == 400
    assert 'value="Kept"' in page(response)


def test_a_revoked_token_stops_working(admin, staff, app_session):
    adviser = staff("ph@example.fi")
    html = page(
        admin.post(
            "/admin/api-tokens/", data={"user": str(adviser.id), "name": "t", "scopes": ["read"]}
        )
    )
    secret = TOKEN.search(html).group(0)
    token_id = app_session.scalars(select(ApiToken)).one().id
    app_session.rollback()
    response = admin.post(f"/admin/api-tokens/{token_id}/revoke?lang=en")
    assert response.status_code == 303
    listing = page(admin.get("/admin/api-tokens/?lang=en"))
    assert "was revoked" in listing and "Revoked" in listing
    api = admin.application.test_client()
    response = api.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert admin.post("/admin/api-tokens/999999/revoke").status_code == 404


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_page_works_in_every_language(admin, language):
    response = admin.get(f"/admin/api-tokens/?lang={language}")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page(response)
    docs = admin.get(f"/api/v1/docs?lang={language}")
    assert docs.status_code == 200 and f'<html lang="{language}">' in page(docs)
