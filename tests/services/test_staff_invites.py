"""Staff invitations: the set-password link works once, within 72 hours, for an active person;
and every staff change is in the access log as well as in staff_changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import AuditEntry, OutboxMessage, StaffChange, User, utcnow
from desk.services import audit, signed_links, staff_admin, staff_invites, users
from desk.services.access import Actor, Channel

SECRET = "s" * 40
CLI = Actor.system(Channel.CLI)
GOOD = "a long and fine passphrase"


def _invited(session: Session, email: str = "new.person@example.fi") -> User:
    data = staff_admin.StaffInput(
        email=email, name="New Person", role="adviser", authority="lahti", languages=("en",)
    )
    return staff_admin.create_staff(session, CLI, data, invite=True)


def _token(session: Session, user: User, hours_ago: float = 0) -> str:
    row = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "email.staff_invitation")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert row is not None and row.payload["user_id"] == user.id
    assert row.payload["language"] == "en"
    issued = int(row.payload["issued_at"] - hours_ago * 3600)
    return signed_links.set_password_token(SECRET, user.id, row.payload["stamp"], issued)


def test_the_link_sets_the_password_once_and_ends_sessions(session: Session) -> None:
    user = _invited(session)
    assert user.password_hash == "!"
    token = _token(session, user)
    assert staff_invites.invited_user(session, SECRET, token).id == user.id
    with pytest.raises(staff_admin.InvalidStaff) as weak:
        staff_admin.accept_invitation(session, SECRET, token, "a" * 14)
    assert weak.value.errors == {"password": "too_common"}  # desk.domain.passwords rules
    session.rollback()
    version = user.session_version
    staff_admin.accept_invitation(session, SECRET, token, GOOD)
    assert users.authenticate(session, user.email, GOOD) is not None
    assert user.session_version == version + 1
    with pytest.raises(staff_invites.BadInvitation, match="already used"):
        staff_admin.accept_invitation(session, SECRET, token, GOOD + "!")
    assert users.authenticate(session, user.email, GOOD) is not None


def test_an_expired_forged_or_deactivated_link_is_refused(session: Session) -> None:
    user = _invited(session)
    old = _token(session, user, hours_ago=72.5)
    with pytest.raises(staff_invites.BadInvitation, match="expired"):
        staff_invites.invited_user(session, SECRET, old)
    recent = _token(session, user, hours_ago=71.5)
    assert staff_invites.invited_user(session, SECRET, recent).id == user.id
    with pytest.raises(staff_invites.BadInvitation, match="bad"):
        staff_invites.invited_user(session, "another secret of forty characters......", recent)
    with pytest.raises(staff_invites.BadInvitation):
        staff_invites.invited_user(session, SECRET, recent[:-2] + "xx")
    # A portal sign-in token of the same number opens nothing here (another salt).
    with pytest.raises(staff_invites.BadInvitation):
        staff_invites.invited_user(session, SECRET, signed_links.sign_in_token(SECRET, user.id))
    staff_admin.set_active(session, CLI, user.id, False)
    with pytest.raises(staff_invites.BadInvitation, match="active"):
        staff_invites.invited_user(session, SECRET, recent)


def test_the_signature_age_stops_a_link_too(session: Session) -> None:
    user = _invited(session)
    token = _token(session, user)
    with pytest.raises(signed_links.BadLink, match="expired"):
        signed_links.read_set_password_token(SECRET, token, max_age=-1)


def test_every_staff_change_is_in_the_access_log_in_the_same_commit(
    session: Session, make_user
) -> None:
    admin = make_user("root@example.fi", role="admin")
    actor = Actor.staff(admin, Channel.WEB, "192.0.2.9")
    before = audit.count(session)
    user = _invited(session)
    staff_admin.update_staff(
        session,
        actor,
        user.id,
        staff_admin.StaffInput(
            email=user.email, name="Renamed", role="manager", authority="lahti", languages=("en",)
        ),
    )
    staff_admin.set_active(session, actor, user.id, False)
    team = staff_admin.create_team(
        session,
        actor,
        staff_admin.TeamInput(
            slug="lahti-new", authority="lahti", name_fi="Uusi", name_sv="Ny", name_en="New"
        ),
    )
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == audit.Action.STAFF_CHANGE)
        .order_by(AuditEntry.id)
    ).all()
    assert audit.count(session) == before + 4
    assert [e.details["change"] for e in entries] == [
        "user_created",
        "user_updated",
        "user_disabled",
        "team_created",
    ]
    created, updated, disabled, team_entry = entries
    assert (created.object_type, created.object_id, created.channel) == (
        "user",
        str(user.id),
        "cli",
    )
    assert created.details["invited"] is True and created.actor_email == ""
    assert updated.details["changes"]["name"] == ["New Person", "Renamed"]
    assert (updated.actor_id, updated.actor_email, updated.ip) == (
        admin.id,
        "root@example.fi",
        "192.0.2.9",
    )
    assert (disabled.object_id, team_entry.object_type, team_entry.object_id) == (
        str(user.id),
        "team",
        team.slug,
    )
    # The per-person history page still reads staff_changes, one row per entry.
    changes = session.scalars(select(StaffChange.action).order_by(StaffChange.id)).all()
    assert changes == ["user_created", "user_updated", "user_disabled", "team_created"]
    session.expire_all()
    assert audit.verify(session) is None


def test_a_refused_change_writes_neither_record(session: Session, make_user) -> None:
    admin = make_user("root@example.fi", role="admin")
    actor = Actor.staff(admin, Channel.WEB)
    before = audit.count(session)
    with pytest.raises(staff_admin.InvalidStaff):
        staff_admin.create_staff(
            session,
            actor,
            staff_admin.StaffInput(email="bad", name="", role="adviser", authority="lahti"),
            GOOD,
        )
    session.rollback()
    assert audit.count(session) == before
    assert session.scalar(select(StaffChange.id)) is None


def test_the_invitation_time_is_the_clock(session: Session) -> None:
    user = _invited(session)
    token = _token(session, user)
    later = utcnow() + timedelta(hours=73)
    with pytest.raises(staff_invites.BadInvitation, match="expired"):
        staff_invites.invited_user(session, SECRET, token, now=later)
