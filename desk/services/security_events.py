"""Security events (sign-ins, failures, lockouts, second-factor changes) on the audit log.

One call per event from the sign-in service; the entry is written in the caller's
transaction (the caller commits) and also logged on `desk.security` for the log shipper.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.models import User
from desk.services import audit
from desk.services.access import Actor, Channel

log = logging.getLogger("desk.security")

# The two sign-in outcomes the access log already names; the rest become "auth.<kind>".
_ACTIONS = {"sign_in": audit.Action.SIGN_IN, "sign_in_failed": audit.Action.SIGN_IN_FAILED}
# Events of a person who proved who they are; the others (a wrong password, a locked
# account) are by whoever typed the address: anonymous, with the address typed on record.
_BY_THE_USER = {"sign_in", "recovery_code_used", "second_factor_enabled"}


def record(
    session: Session,
    kind: str,
    actor_email: str | None,
    ip: str | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record one security event: what happened, to or by whom, from where."""
    email = (actor_email or "").strip()
    user = (
        session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if email and kind in _BY_THE_USER
        else None
    )
    actor = Actor.staff(user, Channel.WEB, ip) if user else Actor.employer(Channel.WEB, ip)
    audit.record(
        session,
        actor,
        _ACTIONS.get(kind, f"auth.{kind}"),
        audit.Target.person(email) if email else audit.NOTHING,
        dict(details or {}),
        ip,
        actor_email=email,
        actor_kind=None if user else "anonymous",
    )
    log.info(
        "security event %s actor=%s ip=%s details=%s",
        kind,
        actor_email,
        ip,
        dict(details or {}),
        extra={"security_event": kind, "actor_email": actor_email, "ip": ip},
    )
