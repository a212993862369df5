"""Security events (sign-ins, lockouts, second-factor changes), for the audit log.

For now each event is a record on the `desk.security` logger; the audit log takes them
over when it is merged (the call sites stay as they are).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger("desk.security")


def record(
    session: Session,
    kind: str,
    actor_email: str | None,
    ip: str | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record one security event: what happened, to or by whom, from where."""
    del session  # the audit log will write in the caller's transaction
    log.info(
        "security event %s actor=%s ip=%s details=%s",
        kind,
        actor_email,
        ip,
        dict(details or {}),
        extra={"security_event": kind, "actor_email": actor_email, "ip": ip},
    )
