"""Staff sign-in: password, lockout after failed attempts, the TOTP second factor.

Each failed attempt (a wrong password or a wrong second-factor code) counts against the
account; after SIGN_IN_LOCKOUT_AFTER in a row it is locked for SIGN_IN_LOCKOUT_MINUTES and
not even the right password signs in meanwhile. Both are session settings (session.info).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from desk.models import RecoveryCode, User, utcnow
from desk.services import security_events
from desk.services.users import DUMMY_HASH

DEFAULT_LOCKOUT_AFTER = 10
DEFAULT_LOCKOUT_MINUTES = 15
RECOVERY_CODES = 10
ISSUER = "Päijät-Häme Employer Desk"


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    NEEDS_SECOND_FACTOR_SETUP = "needs_second_factor_setup"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None = None
    locked_until: datetime | None = None


def _settings(session: Session) -> tuple[int, timedelta]:
    after = int(session.info.get("SIGN_IN_LOCKOUT_AFTER") or DEFAULT_LOCKOUT_AFTER)
    minutes = float(session.info.get("SIGN_IN_LOCKOUT_MINUTES") or DEFAULT_LOCKOUT_MINUTES)
    return max(1, min(after, DEFAULT_LOCKOUT_AFTER)), timedelta(minutes=minutes)


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _failed(session: Session, user: User, ip: str | None, now: datetime, why: str) -> Attempt:
    after, duration = _settings(session)
    user.failed_sign_ins += 1
    security_events.record(
        session, "sign_in_failed", user.email, ip, {"reason": why, "count": user.failed_sign_ins}
    )
    if user.failed_sign_ins >= after:
        user.locked_until = now + duration
        user.failed_sign_ins = 0
        security_events.record(
            session, "account_locked", user.email, ip, {"until": user.locked_until.isoformat()}
        )
        session.commit()
        return Attempt(Outcome.LOCKED, user, user.locked_until)
    session.commit()
    return Attempt(Outcome.REFUSED, user)


def succeed(session: Session, user: User, ip: str | None) -> None:
    """The sign-in is complete: the failure count starts again (commits)."""
    user.failed_sign_ins = 0
    user.locked_until = None
    security_events.record(session, "sign_in", user.email, ip, {})
    session.commit()


def check_password(
    session: Session,
    email: str,
    password: str,
    ip: str | None,
    *,
    admin_needs_second_factor: bool,
    now: datetime | None = None,
) -> Attempt:
    """The first step of a sign-in; SIGNED_IN has already reset the failure count."""
    now = now or utcnow()
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        check_password_hash(DUMMY_HASH, password)  # the same time as a real check
        security_events.record(session, "sign_in_failed", email[:254], ip, {"reason": "unknown"})
        session.commit()
        return Attempt(Outcome.REFUSED)
    if _locked(user, now):
        check_password_hash(DUMMY_HASH, password)
        security_events.record(session, "sign_in_refused_locked", user.email, ip, {})
        session.commit()
        return Attempt(Outcome.LOCKED, user, user.locked_until)
    if not check_password_hash(user.password_hash, password):
        return _failed(session, user, ip, now, "password")
    if user.totp_secret:
        return Attempt(Outcome.NEEDS_SECOND_FACTOR, user)
    if user.role == "admin" and admin_needs_second_factor:
        return Attempt(Outcome.NEEDS_SECOND_FACTOR_SETUP, user)
    succeed(session, user, ip)
    return Attempt(Outcome.SIGNED_IN, user)


def _code_hash(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def _totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (this one or the one either side), else None."""
    digits = "".join(code.split())
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue  # a code is used once
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def check_second_factor(
    session: Session, user_id: int, code: str, ip: str | None, now: datetime | None = None
) -> Attempt:
    """The second step: a TOTP code, or one of the recovery codes (used up)."""
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None or not user.active or not user.totp_secret:
        return Attempt(Outcome.REFUSED)
    if _locked(user, now):
        return Attempt(Outcome.LOCKED, user, user.locked_until)
    step = _totp_step(user.totp_secret, code, now, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
    else:
        recovery = session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code)
            )
        )
        if recovery is None:
            return _failed(session, user, ip, now, "second_factor")
        session.delete(recovery)
        security_events.record(session, "recovery_code_used", user.email, ip, {})
    succeed(session, user, ip)
    return Attempt(Outcome.SIGNED_IN, user)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def enable_second_factor(
    session: Session,
    user_id: int,
    secret: str,
    code: str,
    ip: str | None,
    now: datetime | None = None,
) -> list[str] | None:
    """Turn TOTP on once a code from the new secret checks; the new recovery codes, shown
    once (only their hashes are kept). None: the code did not match (nothing changes)."""
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None:
        return None
    step = _totp_step(secret, code, now, None)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    for code_text in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code_text), created_at=now))
    security_events.record(session, "second_factor_enabled", user.email, ip, {})
    session.commit()
    return codes


def remaining_recovery_codes(session: Session, user_id: int) -> int:
    found = session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user_id)
    )
    return int(found or 0)
