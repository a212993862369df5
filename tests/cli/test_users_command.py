"""`desk users create|disable|enable`, the acceptance contract, run as real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db import make_engine
from desk.models import ApiToken, OutboxMessage, StaffChange, User
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


def test_invite_emails_a_link_that_sets_the_password_once_and_sign_in_works(
    database_url: str, tmp_path: Path
) -> None:
    from urllib.parse import urlsplit

    from desk.app import create_app
    from desk.services.notify import delivery
    from tests.support.receivers import mailbox, start_smtp
    from tests.support.services import free_port
    from workers.tasks import render_email

    email = "iida.invited@lahti.example"
    done = desk(
        database_url,
        *("users", "create", "--email", email, "--name", "Iida Invited", "--invite"),
        *("--role", "adviser", "--authority", "lahti", "--language", "sv"),
    )
    assert done.returncode == 0, done.stderr
    assert "set-password link" in done.stdout

    port = free_port()
    smtp = start_smtp(tmp_path / "smtp", port)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "BASE_URL": "http://desk.example",
            "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
            "MAILCATCHER_DIR": str(tmp_path / "mail"),
            "RATELIMIT_SQLITE_PATH": str(tmp_path / "ratelimits.sqlite3"),
        }
    )
    try:
        with app.app_context(), app.extensions["desk.sessions"]() as session:
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None and users.authenticate(session, email, "!") is None
            row = session.scalar(
                select(OutboxMessage).where(OutboxMessage.kind == "email.staff_invitation")
            )
            assert row is not None and row.payload["user_id"] == user.id
            outcome = delivery.deliver(session, row.id, app.config, render_email)
            assert outcome is delivery.Outcome.DELIVERED
        (message,) = mailbox(tmp_path / "smtp")
        assert message["To"] == email
        assert "lösenord" in str(message["Subject"])  # their desk language, Swedish
        body = message.get_body(("plain",))
        assert body is not None
        (link,) = [w for w in body.get_content().split() if "/set-password/" in w]
        path = urlsplit(link).path

        client = app.test_client()
        page = client.get(path + "?lang=en")
        assert page.status_code == 200 and email in page.get_data(as_text=True)
        weak = client.post(
            path + "?lang=en", data={"password": "password", "password_again": "password"}
        )
        assert weak.status_code == 422 and "too short" in weak.get_data(as_text=True)
        mismatch = client.post(
            path + "?lang=en", data={"password": PASSWORD, "password_again": PASSWORD + "x"}
        )
        assert mismatch.status_code == 422 and "not the same" in mismatch.get_data(as_text=True)
        done_page = client.post(path, data={"password": PASSWORD, "password_again": PASSWORD})
        assert done_page.status_code == 303 and done_page.headers["Location"] == "/login"
        # Used: the same link is refused, for reading and for setting.
        again = client.get(path + "?lang=en")
        assert again.status_code == 400 and "does not work" in again.get_data(as_text=True)
        reused = client.post(
            path, data={"password": PASSWORD + "2", "password_again": PASSWORD + "2"}
        )
        assert reused.status_code == 400

        signed_in = client.post("/login", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"]
        with app.extensions["desk.sessions"]() as session:
            actions = session.scalars(
                select(StaffChange.action)
                .join(User, User.id == StaffChange.user_id)
                .where(User.email == email)
                .order_by(StaffChange.id)
            ).all()
            assert actions == ["user_created", "password_set"]
    finally:
        smtp.stop()
        app.extensions["desk.engine"].dispose()


def test_invite_reads_no_password_and_refuses_a_deactivated_person(database_url: str) -> None:
    email = "olli.offboarded@lahti.example"
    done = desk(
        database_url,
        *("users", "create", "--email", email, "--name", "Olli", "--invite"),
        *("--role", "adviser", "--authority", "lahti"),
        stdin="this line is not read as a password\n",
    )
    assert done.returncode == 0, done.stderr
    assert desk(database_url, "users", "invite", "--email", email).returncode == 0
    assert desk(database_url, "users", "disable", "--email", email).returncode == 0
    refused = desk(database_url, "users", "invite", "--email", email)
    assert refused.returncode == 1 and "deactivated" in refused.stderr
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None and user.password_hash == "!"
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "email.staff_invitation")
            ).all()
            # The creation's and the `invite`'s; none after the person was deactivated.
            assert len([r for r in rows if r.payload["user_id"] == user.id]) == 2
    finally:
        engine.dispose()
