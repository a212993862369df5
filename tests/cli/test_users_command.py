"""`desk users create|disable|enable`, the acceptance contract, run as real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db import make_engine
from desk.models import ApiToken, StaffChange, User
from desk.services import api_tokens, users
from desk.services.access import Actor, Channel
from tests.conftest import TEST_ENVIRON
from tests.support.tiers import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"
PASSWORD = "a-long-enough-password"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not DESK.exists():
        unavailable(f"{DESK} missing (run `make install`)")
    url = f"sqlite:///{tmp_path_factory.mktemp('users') / 'desk.sqlite3'}"
    done = desk(url, "setup", "--no-demo")
    assert done.returncode == 0, done.stderr
    return url


def desk(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = url
    env["DESK_BROKER_SQLITE_PATH"] = url.removeprefix("sqlite:///") + ".broker"
    return subprocess.run(
        [str(DESK), *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_reads_the_password_from_stdin_and_the_person_can_sign_in(
    database_url: str,
) -> None:
    done = desk(
        database_url,
        *("users", "create", "--email", "Aino.Adviser@lahti.example", "--name", "Aino Adviser"),
        *("--role", "adviser", "--authority", "lahti", "--team", "lahti-employer-services"),
        stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Created adviser" in done.stdout
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = users.authenticate(session, "aino.adviser@lahti.example", PASSWORD)
            assert user is not None
            assert user.role == "adviser" and user.authority_slug == "lahti"
            assert [t.slug for t in user.teams] == ["lahti-employer-services"]
            assert users.authenticate(session, "aino.adviser@lahti.example", "wrong") is None
            change = session.scalar(select(StaffChange).where(StaffChange.user_id == user.id))
            assert change is not None and change.action == "user_created"
            assert change.channel == "cli" and change.actor_id is None
            assert "password" not in str(change.details).replace("password_set", "")
    finally:
        engine.dispose()


def test_create_refuses_bad_input_with_status_2_and_says_why(database_url: str) -> None:
    done = desk(
        database_url,
        *("users", "create", "--email", "not-an-email", "--name", "X"),
        *("--role", "adviser", "--authority", "lahti", "--team", "no-such-team"),
        stdin="short\n",
    )
    assert done.returncode == 2
    assert "email: invalid" in done.stderr
    assert "teams: invalid" in done.stderr
    assert "password: too_short" in done.stderr
    bad_role = desk(
        database_url,
        *("users", "create", "--email", "a@b.example", "--name", "X"),
        *("--role", "boss", "--authority", "lahti"),
        stdin=PASSWORD + "\n",
    )
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr


def test_disable_stops_sign_in_and_api_tokens_and_enable_restores_them(
    database_url: str,
) -> None:
    email = "ville.manager@lahti.example"
    done = desk(
        database_url,
        *("users", "create", "--email", email, "--name", "Ville Manager"),
        *("--role", "manager", "--authority", "lahti"),
        stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            owner = session.scalar(select(User).where(User.email == email))
            assert owner is not None
            admin = User(
                email="root@lahti.example",
                name="Root",
                role="admin",
                authority_slug="lahti",
                password_hash="!",
            )
            session.add(admin)
            session.commit()
            secret = api_tokens.create_token(
                session, Actor.staff(admin, Channel.WEB), owner.id, "reports", ["read"]
            ).secret
            assert api_tokens.authenticate(session, secret) is not None

        done = desk(database_url, "users", "disable", "--email", email)
        assert done.returncode == 0, done.stderr
        with Session(engine) as session:
            assert users.authenticate(session, email, PASSWORD) is None
            assert api_tokens.authenticate(session, secret) is None
            actions = session.scalars(
                select(StaffChange.action)
                .join(User, User.id == StaffChange.user_id)
                .where(User.email == email)
                .order_by(StaffChange.id)
            ).all()
            assert actions == ["user_created", "user_disabled"]

        done = desk(database_url, "users", "enable", "--email", email)
        assert done.returncode == 0, done.stderr
        with Session(engine) as session:
            assert users.authenticate(session, email, PASSWORD) is not None
            assert api_tokens.authenticate(session, secret) is not None
            assert session.scalar(select(ApiToken).where(ApiToken.name == "reports"))
    finally:
        engine.dispose()


def test_disable_of_an_unknown_email_fails(database_url: str) -> None:
    done = desk(database_url, "users", "disable", "--email", "nobody@lahti.example")
    assert done.returncode == 1
    assert "No staff member" in done.stderr
