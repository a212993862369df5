"""The email channel's settings, read once from the app configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desk.domain.attachments import Limits
from desk.domain.inbound_mail import base_of


@dataclass(frozen=True)
class InboundSettings:
    """The secret of reply addresses, each authority's inbound address, and the limits."""

    secret: str
    # authority slug -> its inbound address ("" key: the desk's general address).
    addresses: dict[str, str] = field(default_factory=dict)
    max_bytes: int = 30 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> InboundSettings:
        """INBOUND_ADDRESS (general) and INBOUND_ADDRESS_<SLUG> keys, SECRET_KEY, limits."""
        addresses = {"": str(config.get("INBOUND_ADDRESS", ""))}
        for key, value in config.items():
            if key.startswith("INBOUND_ADDRESS_") and value:
                slug = key.removeprefix("INBOUND_ADDRESS_").lower().replace("_", "-")
                addresses[slug] = str(value)
        return cls(
            secret=str(config["SECRET_KEY"]),
            addresses={k: v for k, v in addresses.items() if v},
            max_bytes=int(config.get("INBOUND_MAX_BYTES", 30 * 1024 * 1024)),
            limits=Limits(
                max_bytes=int(config.get("ATTACHMENT_MAX_BYTES", Limits.max_bytes)),
                max_count=int(config.get("ATTACHMENT_MAX_COUNT", Limits.max_count)),
                max_total_bytes=int(
                    config.get("ATTACHMENT_MAX_TOTAL_BYTES", Limits.max_total_bytes)
                ),
            ),
        )

    def address_for(self, authority: str) -> str:
        """The inbound address replies to an authority's case go to."""
        return self.addresses.get(authority) or self.addresses.get("", "")

    def authority_of(self, address: str) -> str | None:
        """The authority slug ("" for the general address) an address belongs to, or None."""
        wanted = base_of(address)
        for slug, own in self.addresses.items():
            if base_of(own) == wanted:
                return slug
        return None
