"""Which network addresses other systems may be called at: public ones only (no SSRF).

Loopback, private, link-local (the cloud metadata service 169.254.169.254), multicast,
reserved and unspecified addresses are refused, also when written in a disguise: a
decimal integer (2130706433), an IPv4-mapped (::ffff:127.0.0.1) or NAT64 IPv6 address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def is_public(address: IPAddress) -> bool:
    """True when the address is a global unicast one a webhook may be sent to."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return bool(
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_private
    )


def parse(text: str) -> IPAddress | None:
    """The address written in text (brackets and an IPv6 zone dropped), else None."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def allow_list(value: object) -> frozenset[str]:
    """The allow-list setting (a list, or names separated by commas), lower-case."""
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, Iterable):
        items = value
    else:
        items = ()
    return frozenset(str(item).strip().strip("[]").lower() for item in items if str(item).strip())


def allowed(host: str, entries: frozenset[str]) -> bool:
    """The host is on the allow-list: itself, or under an entry written `.example.fi`."""
    name = host.strip("[]").lower().rstrip(".")
    return name in entries or any(e.startswith(".") and name.endswith(e) for e in entries)
