"""Signing webhook bodies: HMAC-SHA256 with the subscription's secret.

The signed message is the timestamp, a dot and the raw body (the scheme of Stripe and
Slack), so a receiver that checks the X-Desk-Timestamp header is fresh also stops replays.
Headers: X-Desk-Timestamp: <unix seconds>, X-Desk-Signature: sha256=<hex digest>.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

TIMESTAMP_HEADER: Final = "X-Desk-Timestamp"
SIGNATURE_HEADER: Final = "X-Desk-Signature"
PREFIX: Final = "sha256="
DEFAULT_TOLERANCE_SECONDS: Final = 300


def signed_message(timestamp: int, body: bytes) -> bytes:
    """The bytes the signature covers."""
    return str(timestamp).encode("ascii") + b"." + body


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Desk-Signature header value for a body sent at timestamp."""
    digest = hmac.new(secret.encode("utf-8"), signed_message(timestamp, body), hashlib.sha256)
    return PREFIX + digest.hexdigest()


def verify(
    secret: str,
    timestamp_header: str,
    body: bytes,
    signature_header: str,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature (constant time)."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature_header.strip())
