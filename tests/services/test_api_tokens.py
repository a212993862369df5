"""API tokens: created by admins only, stored hashed, scoped, revocable, last use recorded.
On SQLite and PostgreSQL."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import ApiToken, utcnow
from desk.services import api_tokens
from desk.services.api_tokens import InvalidApiToken
from desk.services.errors import Forbidden, NotFound
from tests.support.actors import as_staff


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.fi", role="admin", authority="lahti", teams=())


@pytest.fixture
def adviser(make_user):
    return make_user("ph@example.fi")


def test_a_token_is_shown_once_and_stored_only_as_its_hash(session: Session, admin, adviser):
    created = api_tokens.create_token(
        session, as_staff(admin), adviser.id, " Lahti website ", ["write", "read", "read"]
    )
    secret = created.secret
    assert secret.startswith("desk_") and len(secret) == len("desk_") + 43
    session.expire_all()
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.token_hash, stored.token_prefix, stored.name, stored.scopes}
    assert stored.token_prefix == secret[:12]
    assert (stored.name, stored.scopes, stored.user_id) == (
        "Lahti website",
        "read,write",
        adviser.id,
    )
    assert stored.created_by_id == admin.id and stored.last_used_at is None
    assert stored.scope_set == {"read", "write"}


def test_only_administrators_create_and_revoke_tokens(session: Session, admin, adviser):
    with pytest.raises(Forbidden):
        api_tokens.create_token(session, as_staff(adviser), adviser.id, "mine", ["read"])
    token = api_tokens.create_token(session, as_staff(admin), adviser.id, "theirs", ["read"]).token
    with pytest.raises(Forbidden):
        api_tokens.revoke_token(session, as_staff(adviser), token.id)
    with pytest.raises(NotFound):
        api_tokens.revoke_token(session, as_staff(admin), token.id + 1000)


@pytest.mark.parametrize(
    ("user", "name", "scopes", "errors"),
    [
        ("adviser", "", ["read"], {"name": "required"}),
        ("adviser", "x" * 101, ["read"], {"name": "too_long"}),
        (None, "ok", ["read"], {"user": "required"}),
        ("missing", "ok", ["read"], {"user": "invalid"}),
        ("inactive", "ok", ["read"], {"user": "invalid"}),
        ("adviser", "ok", [], {"scopes": "required"}),
        ("adviser", "ok", ["read", "admin"], {"scopes": "invalid"}),
        (None, " ", [], {"user": "required", "name": "required", "scopes": "required"}),
    ],
)
def test_token_fields_are_validated(session, admin, adviser, make_user, user, name, scopes, errors):
    inactive = make_user("gone@example.fi")
    inactive.active = False
    session.commit()
    ids = {"adviser": adviser.id, "missing": 999_999, "inactive": inactive.id, None: None}
    with pytest.raises(InvalidApiToken) as caught:
        api_tokens.create_token(session, as_staff(admin), ids[user], name, scopes)
    assert caught.value.errors == errors
    assert session.scalars(select(ApiToken)).all() == []


def test_authenticate_records_the_last_use_at_most_once_a_minute(session, admin, adviser):
    secret = api_tokens.create_token(session, as_staff(admin), adviser.id, "t", ["read"]).secret
    first = utcnow()
    token = api_tokens.authenticate(session, secret, now=first)
    assert token is not None and token.user.id == adviser.id
    assert token.last_used_at == first
    api_tokens.authenticate(session, secret, now=first + timedelta(seconds=30))
    session.expire_all()
    assert session.scalars(select(ApiToken)).one().last_used_at == first
    later = first + timedelta(seconds=61)
    api_tokens.authenticate(session, secret, now=later)
    session.expire_all()
    assert session.scalars(select(ApiToken)).one().last_used_at == later


def test_revoked_unknown_malformed_and_orphaned_tokens_do_not_authenticate(
    session, admin, adviser, make_user
):
    secret = api_tokens.create_token(session, as_staff(admin), adviser.id, "t", ["read"]).secret
    assert (
        api_tokens.authenticate(session, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    )
    assert api_tokens.authenticate(session, "not-a-token") is None
    assert api_tokens.authenticate(session, "") is None

    owner = make_user("leaver@example.fi")
    other = api_tokens.create_token(session, as_staff(admin), owner.id, "leaver", ["read"]).secret
    owner.active = False
    session.commit()
    assert api_tokens.authenticate(session, other) is None

    token = api_tokens.revoke_token(
        session, as_staff(admin), api_tokens.authenticate(session, secret).id
    )
    revoked_at = token.revoked_at
    assert revoked_at is not None and token.revoked_by_id == admin.id
    assert api_tokens.authenticate(session, secret) is None
    again = api_tokens.revoke_token(
        session, as_staff(admin), token.id
    )  # revoking twice changes nothing
    assert again.revoked_at == revoked_at


def test_tokens_are_listed_active_first_newest_first(session, admin, adviser):
    old = api_tokens.create_token(session, as_staff(admin), adviser.id, "old", ["read"]).token
    new = api_tokens.create_token(session, as_staff(admin), adviser.id, "new", ["read"]).token
    gone = api_tokens.create_token(session, as_staff(admin), adviser.id, "gone", ["read"]).token
    api_tokens.revoke_token(session, as_staff(admin), gone.id)
    assert [t.name for t in api_tokens.list_tokens(session)] == ["new", "old", "gone"]
    assert old.id < new.id
    assert {u.email for u in api_tokens.token_owners(session)} == {
        "admin@example.fi",
        "ph@example.fi",
    }
