"""/admin/users and /admin/teams: create, edit, deactivate, reactivate; teams created and
renamed; bad input answered next to the field with what was typed kept; all recorded."""

from __future__ import annotations

from sqlalchemy import func, select

from desk.models import StaffChange, Team, User
from desk.services import api_tokens
from desk.services import users as user_service
from desk.services.access import Actor, Channel
from tests.conftest import login

NEW = {
    "email": "Uusi.Neuvoja@lahti.example",
    "name": "Uusi Neuvoja",
    "role": "adviser",
    "authority": "lahti",
    "teams": ["lahti-employer-services"],
    "languages": ["fi", "en"],
    "password": "first-password-123",
}


def _admin(client, staff) -> User:
    admin = staff("admin@example.fi", role="admin", authority="lahti", teams=())
    login(client, "admin@example.fi")
    return admin


def test_an_admin_adds_a_staff_member_who_can_then_sign_in(client, staff, app_session) -> None:
    _admin(client, staff)
    page = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Add a staff member" in page
    response = client.post("/admin/users", data=NEW)
    assert response.status_code == 303
    person = app_session.scalar(select(User).where(User.email == "uusi.neuvoja@lahti.example"))
    assert person is not None and person.languages == "fi,en"
    assert [t.slug for t in person.teams] == ["lahti-employer-services"]
    assert user_service.authenticate(app_session, person.email, NEW["password"]) is not None
    change = app_session.scalar(select(StaffChange).where(StaffChange.user_id == person.id))
    assert change is not None and change.action == "user_created" and change.channel == "web"
    assert "first-password-123" not in str(change.details)


def test_bad_input_is_answered_next_to_the_field_and_kept(client, staff) -> None:
    _admin(client, staff)
    bad = {**NEW, "email": "not an email", "password": "short", "languages": []}
    response = client.post("/admin/users?lang=en", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter an email address like name@lahti.fi" in page
    assert "at least 12 characters" in page
    assert "Select at least one language" in page
    assert 'value="not an email"' in page and 'value="Uusi Neuvoja"' in page
    finnish = client.post("/admin/users?lang=fi", data=bad).get_data(as_text=True)
    assert "Enter an email address like name@lahti.fi" not in finnish


def test_editing_and_deactivation_stop_sign_in_and_tokens_at_once(
    client, staff, app_session
) -> None:
    admin = _admin(client, staff)
    person = staff("ville@example.fi", role="adviser")
    secret = api_tokens.create_token(
        app_session, Actor.staff(admin, Channel.WEB), person.id, "reports", ["read"]
    ).secret
    edit = {
        "email": "ville@example.fi",
        "name": "Ville Vaihdettu",
        "role": "manager",
        "authority": "paijat-hame",
        "teams": [],
        "languages": ["sv"],
        "absent": "1",
    }
    assert client.post(f"/admin/users/{person.id}", data=edit).status_code == 303
    app_session.expire_all()
    person = app_session.get(User, person.id)
    assert person is not None
    assert (person.name, person.role, person.absent, person.teams) == (
        "Ville Vaihdettu", "manager", True, [],
    )  # fmt: skip
    response = client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
    assert response.status_code == 303
    app_session.expire_all()
    assert user_service.authenticate(app_session, "ville@example.fi", "x" * 5) is None
    assert api_tokens.authenticate(app_session, secret) is None
    page = client.get(f"/admin/users/{person.id}?lang=en").get_data(as_text=True)
    assert "Reactivate" in page and "Deactivated" in page and "Changed" in page
    assert client.post(f"/admin/users/{person.id}/active", data={"active": "1"}).status_code == 303
    app_session.expire_all()
    assert api_tokens.authenticate(app_session, secret) is not None
    actions = app_session.scalars(
        select(StaffChange.action).where(StaffChange.user_id == person.id).order_by(StaffChange.id)
    ).all()
    assert actions == ["user_updated", "user_disabled", "user_enabled"]
    # An administrator cannot lock themself out.
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 403
    assert client.post(f"/admin/users/{person.id}/active", data={"active": "x"}).status_code == 400


def test_teams_are_created_and_renamed_with_their_host_authority(
    client, staff, app_session
) -> None:
    _admin(client, staff)
    team = {
        "slug": "lahti-recruitment",
        "authority": "lahti",
        "name_fi": "Rekrytointi",
        "name_sv": "Rekrytering",
        "name_en": "Recruitment",
    }
    assert client.post("/admin/teams", data=team).status_code == 303
    created = app_session.scalar(select(Team).where(Team.slug == "lahti-recruitment"))
    assert created is not None and created.authority_slug == "lahti"
    again = client.post("/admin/teams?lang=en", data=team)
    assert again.status_code == 422
    assert "A team with this short name exists already" in again.get_data(as_text=True)
    renamed = {**team, "authority": "paijat-hame", "name_en": "Recruitment services"}
    assert client.post(f"/admin/teams/{created.id}", data=renamed).status_code == 303
    app_session.expire_all()
    created = app_session.get(Team, created.id)
    assert created is not None
    assert (created.authority_slug, created.name_en, created.slug) == (
        "paijat-hame", "Recruitment services", "lahti-recruitment",
    )  # fmt: skip
    empty = client.post(f"/admin/teams/{created.id}?lang=en", data={**renamed, "name_sv": ""})
    assert empty.status_code == 422
    assert "Enter the name in Swedish" in empty.get_data(as_text=True)
    assert "Recruitment services" in client.get("/admin/teams?lang=en").get_data(as_text=True)
    actions = app_session.scalars(
        select(StaffChange.action).where(StaffChange.team_id == created.id).order_by(StaffChange.id)
    ).all()
    assert actions == ["team_created", "team_updated"]


def test_an_expired_form_keeps_what_was_typed(app, client, staff) -> None:
    _admin(client, staff)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/admin/users?lang=en", data={**NEW, "csrf_token": "stale"})
    assert response.status_code == 400
    assert 'value="Uusi Neuvoja"' in response.get_data(as_text=True)


def test_an_admin_invites_a_person_who_then_chooses_their_password(
    app, client, staff, app_session
) -> None:
    from desk.models import AuditEntry, OutboxMessage
    from desk.services import signed_links

    _admin(client, staff)
    page = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert 'name="invite"' in page and "Invite by email" in page
    # The access log is append-only: entries of earlier tests stay; look only after them.
    before = app_session.scalar(select(func.max(AuditEntry.id))) or 0
    invited = {**NEW, "password": "", "invite": "1"}
    response = client.post("/admin/users?lang=en", data=invited)
    assert response.status_code == 303
    person = app_session.scalar(select(User).where(User.email == "uusi.neuvoja@lahti.example"))
    assert person is not None and person.password_hash == "!"
    shown = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "A link to choose their password (valid 72 hours) was sent" in shown
    row = app_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "email.staff_invitation")
    )
    assert row is not None and row.payload["user_id"] == person.id
    assert row.payload["language"] == "fi"  # the first language they speak
    entry = app_session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "staff.change", AuditEntry.id > before)
        .order_by(AuditEntry.id)
    )
    assert entry is not None and entry.details["invited"] is True
    assert entry.object_id == str(person.id) and entry.actor_email == "admin@example.fi"
    # Once: the admin pages' generic hook leaves staff changes to the service.
    kinds = app_session.scalars(select(AuditEntry.action).where(AuditEntry.id > before)).all()
    assert kinds.count("staff.change") == 1 and "config.change" not in kinds

    token = signed_links.set_password_token(
        app.config["SECRET_KEY"], person.id, row.payload["stamp"], row.payload["issued_at"]
    )
    visitor = app.test_client()
    form = visitor.get(f"/set-password/{token}?lang=fi")
    assert form.status_code == 200 and "Valitse salasanasi" in form.get_data(as_text=True)
    common = visitor.post(
        f"/set-password/{token}?lang=en",
        data={"password": "a" * 14, "password_again": "a" * 14},
    )
    assert common.status_code == 422 and "too common" in common.get_data(as_text=True)
    assert 'id="password-error"' in common.get_data(as_text=True)
    done = visitor.post(
        f"/set-password/{token}",
        data={"password": NEW["password"], "password_again": NEW["password"]},
    )
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert login(visitor, person.email, NEW["password"]).status_code == 302
    assert visitor.get("/staff/").status_code == 200
    history = client.get(f"/admin/users/{person.id}?lang=en").get_data(as_text=True)
    assert "Password set" in history


def test_without_invite_a_first_password_is_still_needed(client, staff) -> None:
    _admin(client, staff)
    response = client.post("/admin/users?lang=en", data={**NEW, "password": ""})
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)


def test_the_set_password_form_needs_its_csrf_token(app, client, staff, app_session) -> None:
    from desk.models import OutboxMessage
    from desk.services import signed_links

    _admin(client, staff)
    client.post("/admin/users", data={**NEW, "password": "", "invite": "1"})
    row = app_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "email.staff_invitation")
    )
    assert row is not None
    token = signed_links.set_password_token(
        app.config["SECRET_KEY"],
        row.payload["user_id"],
        row.payload["stamp"],
        row.payload["issued_at"],
    )
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = app.test_client()
    refused = visitor.post(
        f"/set-password/{token}?lang=en",
        data={"password": NEW["password"], "password_again": NEW["password"]},
    )
    assert refused.status_code == 400 and "session expired" in refused.get_data(as_text=True)
    assert visitor.get("/set-password/junk?lang=en").status_code == 400


def test_an_admin_sends_a_new_link_to_an_active_person_only(client, staff, app_session) -> None:
    from desk.models import OutboxMessage

    _admin(client, staff)
    person = staff("forgetful@example.fi")
    page = client.get(f"/admin/users/{person.id}?lang=en").get_data(as_text=True)
    assert "Send a set-password link" in page
    response = client.post(f"/admin/users/{person.id}/invite")
    assert response.status_code == 303
    shown = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "was sent to forgetful@example.fi" in shown and "Invitation sent" in shown
    rows = app_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.staff_invitation")
    ).all()
    assert [r.payload["user_id"] for r in rows] == [person.id]
    assert client.post(f"/admin/users/{person.id}/active", data={"active": "0"}).status_code == 303
    assert client.post(f"/admin/users/{person.id}/invite").status_code == 409
    assert client.post("/admin/users/999999/invite").status_code == 404
