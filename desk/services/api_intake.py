"""Submissions through the API: the request form's validation and routing, safe to retry.

An `Idempotency-Key` is stored with the case it created and a fingerprint of the request, in
the case's own transaction and unique on the key: a retry with the same key and the same
request gets the same case back, two racing requests with one key create one case (the
loser's transaction rolls back on the unique key and it answers with the winner's case), and
the same key with a different request is refused.

Keys are scoped per client: what is stored is a SHA-256 of the client (its token, or its
address for the anonymous public API) and the key, so one client's key never replays, nor
names, another client's case.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.intake import InvalidSubmission, RawSubmission, validate_submission
from desk.models import Case, IdempotencyKey, utcnow
from desk.services.access import Actor, Channel
from desk.services.cases import add_case
from desk.services.reference_data import snapshot

MAX_KEY = 255


class IdempotencyKeyReused(ValueError):
    """The key was used before for a different request."""

    def __init__(self, key: str, case: Case) -> None:
        super().__init__(f"idempotency key {key!r} was used for a different request")
        self.key = key
        self.case = case


@dataclass(frozen=True)
class Submitted:
    """The case of a submission, and whether an earlier request with the same key made it."""

    case: Case
    replayed: bool


def fingerprint(raw: RawSubmission) -> str:
    """SHA-256 of the request's fields, so the same request sent again compares equal."""
    canonical = json.dumps(asdict(raw), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scoped_key(client: str, key: str) -> str:
    """The stored form of a client's key: a hash, so keys of two clients never meet."""
    return hashlib.sha256(f"{client}\x00{key}".encode()).hexdigest()


def submission_errors(session: Session, raw: RawSubmission) -> dict[str, str]:
    """The form's error codes for a request (field -> code), storing nothing."""
    try:
        validate_submission(raw, snapshot(session).needs.keys())
    except InvalidSubmission as exc:
        return exc.errors
    finally:
        session.rollback()
    return {}


def _stored(session: Session, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))


def _replay(stored: IdempotencyKey, request_hash: str) -> Submitted:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused(stored.key, stored.case)
    return Submitted(stored.case, replayed=True)


def submit(
    session: Session,
    raw: RawSubmission,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
    client: str = "",
) -> Submitted:
    """Validate, route and store a request once per idempotency key of this client.

    Raises InvalidSubmission (field -> code) or IdempotencyKeyReused; stores nothing then.
    """
    request_hash = fingerprint(raw)
    if idempotency_key is not None:
        idempotency_key = scoped_key(client, idempotency_key)
    if idempotency_key is not None:
        stored = _stored(session, idempotency_key)
        if stored is not None:
            session.rollback()
            return _replay(stored, request_hash)
    now = now or utcnow()
    case = add_case(session, raw, now, actor or Actor.employer(Channel.API))
    if idempotency_key is not None:
        session.add(
            IdempotencyKey(
                key=idempotency_key, request_hash=request_hash, case_id=case.id, created_at=now
            )
        )
    try:
        session.commit()
    except IntegrityError:
        # Another request with the same key committed first: answer with its case.
        session.rollback()
        stored = _stored(session, idempotency_key) if idempotency_key is not None else None
        if stored is None:
            raise
        session.rollback()
        return _replay(stored, request_hash)
    return Submitted(case, replayed=False)
