"""The identity-provider interface the portal's views talk to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VerifiedIdentity:
    """A person the provider vouches for: their address and, where the provider knows it
    (Suomi.fi e-Authorisations), the Business ID they may act for."""

    email: str
    provider: str
    business_id: str | None = None


class SignInFailed(Exception):
    """The sign-in cannot be completed: unknown, used or expired proof (code says which)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class IdentityProvider(Protocol):
    """Start a sign-in for an address, and complete it from the proof the person brings back.

    start never tells the caller whether the address is known (the page must not either);
    complete returns the verified identity or raises SignInFailed. Both own their transaction.
    """

    name: str

    def start(self, session: Session, email: str, language: str) -> None:
        """Begin signing in the person at this address (e.g. email them a link)."""
        ...

    def complete(self, session: Session, proof: str) -> VerifiedIdentity:
        """The identity the proof (a link's token, a provider's assertion) vouches for."""
        ...
