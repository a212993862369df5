"""Findings: sign-in had no lockout or limit, and sessions outlived sign-out (issue 14)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pyotp
import pytest

from desk.models import User, utcnow
from desk.services import sign_in, users
from desk.web.extensions import SEEN_AT, SIGNED_IN_AT
from tests.conftest import PASSWORD, login

EMAIL = "adviser@example.fi"


@pytest.fixture
def adviser(staff):
    return staff(EMAIL)


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(
    client, adviser, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="desk.security")
    for _ in range(9):
        assert login(client, EMAIL, "wrong password!").status_code == 401
    locked = login(client, EMAIL, "wrong password!")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 60
    assert "tili on lukittu" in locked.get_data(as_text=True)  # Finnish by default
    assert "account_locked" in caplog.text
    right = login(client, EMAIL, PASSWORD)
    assert right.status_code == 429
    assert "Yritä uudelleen" in right.get_data(as_text=True)
    assert not _signed_in(client)


def test_the_lock_ends_and_a_success_resets_the_count(client, adviser, app_session) -> None:
    for _ in range(10):
        login(client, EMAIL, "wrong password!")
    user = app_session.get(User, adviser.id)
    app_session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    app_session.commit()
    assert login(client, EMAIL, PASSWORD).status_code == 302
    app_session.refresh(user)
    assert user.failed_sign_ins == 0 and user.locked_until is None


def test_sign_in_is_limited_per_client_address(app, client, adviser) -> None:
    app.config["STAFF_LOGIN_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        assert login(client, f"nobody{number}@example.fi").status_code == 401
    assert login(client, EMAIL).status_code == 429


def test_sign_out_ends_the_session_for_a_replayed_cookie(client, adviser) -> None:
    login(client, EMAIL)
    assert _signed_in(client)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    assert not _signed_in(client)
    client.set_cookie("session", stolen)
    assert not _signed_in(client)


def test_a_deactivated_user_is_refused_on_the_next_request(client, adviser, app_session) -> None:
    login(client, EMAIL)
    assert _signed_in(client)
    users.deactivate(app_session, adviser.id)
    assert not _signed_in(client)


def test_a_new_password_ends_other_sessions(client, adviser, app_session) -> None:
    login(client, EMAIL)
    users.set_password(app_session, adviser.id, "a much newer passphrase")
    assert not _signed_in(client)


@pytest.mark.parametrize(
    ("stamp", "age_seconds"), [(SEEN_AT, 31 * 60), (SIGNED_IN_AT, 10 * 3600 + 60)]
)
def test_idle_and_absolute_lifetimes(client, adviser, stamp: str, age_seconds: int) -> None:
    login(client, EMAIL)
    assert _signed_in(client)
    with client.session_transaction() as cookie:
        cookie[stamp] = time.time() - age_seconds
    assert not _signed_in(client)


def test_a_recent_request_keeps_the_session(client, adviser) -> None:
    login(client, EMAIL)
    with client.session_transaction() as cookie:
        cookie[SEEN_AT] = time.time() - 29 * 60
        cookie[SIGNED_IN_AT] = time.time() - 9 * 3600
    assert _signed_in(client)


def test_sign_in_starts_a_fresh_session_with_a_new_csrf_token(client, adviser) -> None:
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "planted-by-an-attacker"
        cookie["leftover"] = "x"
    login(client, EMAIL)
    with client.session_transaction() as cookie:
        assert cookie.get("csrf_token") != "planted-by-an-attacker"
        assert "leftover" not in cookie


def _with_totp(app_session, user) -> tuple[str, list[str]]:
    secret = sign_in.new_totp_secret()
    codes = sign_in.enable_second_factor(
        app_session, user.id, secret, pyotp.TOTP(secret).at(time.time() - 30), None
    )
    assert codes is not None
    return secret, codes


def test_a_user_with_totp_needs_the_code(client, adviser, app_session) -> None:
    secret, _codes = _with_totp(app_session, adviser)
    response = login(client, EMAIL)
    assert response.headers["Location"] == "/login/second-factor"
    assert not _signed_in(client)
    assert client.post("/login/second-factor", data={"code": "000000"}).status_code == 401
    code = pyotp.TOTP(secret).now()
    assert client.post("/login/second-factor", data={"code": code}).status_code == 302
    assert _signed_in(client)
    client.post("/logout")
    login(client, EMAIL)
    assert client.post("/login/second-factor", data={"code": code}).status_code == 401


def test_a_recovery_code_works_once(client, adviser, app_session) -> None:
    _secret, codes = _with_totp(app_session, adviser)
    login(client, EMAIL)
    assert client.post("/login/second-factor", data={"code": codes[0]}).status_code == 302
    client.post("/logout")
    login(client, EMAIL)
    assert client.post("/login/second-factor", data={"code": codes[0]}).status_code == 401
    assert sign_in.remaining_recovery_codes(app_session, adviser.id) == len(codes) - 1


def test_wrong_codes_count_towards_the_lockout(client, adviser, app_session) -> None:
    _with_totp(app_session, adviser)
    login(client, EMAIL)
    for _ in range(9):
        client.post("/login/second-factor", data={"code": "000000"})
    assert client.post("/login/second-factor", data={"code": "000000"}).status_code == 429


def test_the_second_step_needs_the_first(client, adviser, app_session) -> None:
    _with_totp(app_session, adviser)
    response = client.post("/login/second-factor", data={"code": "000000"})
    assert response.headers["Location"] == "/login"


def test_an_administrator_without_totp_is_led_to_set_it_up(app, client, staff) -> None:
    app.config["ADMIN_SECOND_FACTOR"] = "true"
    staff("boss@example.fi", role="admin", teams=())
    response = login(client, "boss@example.fi")
    assert response.headers["Location"] == "/login/second-factor/setup"
    assert client.get("/admin/routing/").status_code == 302  # not signed in yet
    page = client.get("/login/second-factor/setup").get_data(as_text=True)
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    wrong = client.post("/login/second-factor/setup", data={"code": "000000"})
    assert wrong.status_code == 422
    done = client.post("/login/second-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.get_data(as_text=True).count("<li><code>") == sign_in.RECOVERY_CODES
    assert client.get("/admin/routing/").status_code == 200


def test_production_requires_totp_of_administrators_by_default(app, client, staff) -> None:
    app.config["ENV"] = "production"
    staff("boss@example.fi", role="admin", teams=())
    assert login(client, "boss@example.fi").headers["Location"].endswith("/setup")
