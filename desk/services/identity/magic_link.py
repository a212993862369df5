"""The email magic link: single use, valid for 15 minutes, a few per address per window.

No secret is stored: the email carries the sign-in row's id signed with the app's secret key;
the row says when it expires and whether it was used. A link is sent only to an address the
desk knows (a contact, or the address of a case); an unknown address gets nothing, and the
caller cannot tell the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import Kind
from desk.models import Case, Contact, SignInToken, utcnow
from desk.services import outbox, signed_links
from desk.services.identity.provider import SignInFailed, VerifiedIdentity

LIFETIME = timedelta(minutes=15)
# At most this many links per address per LIFETIME: more requests send nothing.
PER_ADDRESS = 3
LANGUAGES = ("fi", "sv", "en")
# The kinds issue() queues: the sign-in link itself, and a colleague's invitation.
ISSUED_KINDS = (Kind.PORTAL_SIGN_IN, Kind.PORTAL_INVITATION)


def address(email: str) -> str:
    """The form an address is compared in."""
    return email.strip().lower()


def is_known(session: Session, email: str) -> bool:
    """Whether the desk knows the address: an active contact, or a case sent with it."""
    contact = session.scalar(select(Contact).where(Contact.email == email))
    if contact is not None:
        return True
    case = session.scalar(select(Case.id).where(func.lower(Case.email) == email).limit(1))
    return case is not None


def recent_requests(session: Session, email: str, now: datetime) -> int:
    """Links asked for this address in the last LIFETIME."""
    stmt = select(func.count(SignInToken.id)).where(
        SignInToken.email == email, SignInToken.created_at > now - LIFETIME
    )
    return int(session.scalar(stmt) or 0)


def issue(
    session: Session, email: str, language: str, now: datetime, kind: Kind = Kind.PORTAL_SIGN_IN
) -> SignInToken:
    """A sign-in row and its email in the outbox (no commit): for sign-in and invitations."""
    if kind not in ISSUED_KINDS:
        raise ValueError(f"not a sign-in email: {kind}")
    row = SignInToken(email=email, created_at=now, expires_at=now + LIFETIME)
    session.add(row)
    session.flush()
    language = language if language in LANGUAGES else "fi"
    outbox.enqueue(session, kind, {"sign_in_id": row.id, "language": language})
    return row


@dataclass
class MagicLinkProvider:
    """IdentityProvider by email: the link is the proof that the person reads the address."""

    secret: str
    name: str = "magic_link"

    def start(
        self, session: Session, email: str, language: str, now: datetime | None = None
    ) -> None:
        """Email a sign-in link to a known address, unless it asked too often lately."""
        now = now or utcnow()
        email = address(email)
        if is_known(session, email) and recent_requests(session, email, now) < PER_ADDRESS:
            issue(session, email, language, now)
        session.commit()

    def complete(
        self, session: Session, proof: str, now: datetime | None = None
    ) -> VerifiedIdentity:
        """The address a link was sent to; SignInFailed when forged, used or expired."""
        now = now or utcnow()
        try:
            # The row's expiry decides; the signature's age only stops ancient links early.
            sign_in_id = signed_links.read_sign_in_token(
                self.secret, proof, int(LIFETIME.total_seconds()) + 60
            )
        except signed_links.BadLink as exc:
            raise SignInFailed("expired" if "expired" in str(exc) else "invalid") from exc
        # Use it at most once, also when two tabs post at the same moment: one UPDATE wins.
        used = session.execute(
            update(SignInToken)
            .where(
                SignInToken.id == sign_in_id,
                SignInToken.used_at.is_(None),
                SignInToken.expires_at > now,
            )
            .values(used_at=now)
        )
        row = session.get(SignInToken, sign_in_id)
        if used.rowcount != 1 or row is None:  # type: ignore[attr-defined]
            session.rollback()
            expired = row is not None and row.used_at is None
            raise SignInFailed("expired" if expired else "used")
        session.commit()
        return VerifiedIdentity(email=row.email, provider=self.name)
