"""`make run`'s ports: the one asked for when it is free, else a free one (said so)."""

from __future__ import annotations

import socket
from dataclasses import dataclass


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Can we listen on host:port right now?"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The same option gunicorn and aiosmtpd set: a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system says is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Choice:
    """The port to use for one purpose, and whether the wanted one was taken."""

    purpose: str
    wanted: int
    port: int

    @property
    def moved(self) -> bool:
        return self.port != self.wanted


def choose(
    purpose: str, wanted: int, host: str = "127.0.0.1", avoid: set[int] | None = None
) -> Choice:
    """The wanted port when free (and not already chosen), else a free one."""
    taken = avoid or set()
    if wanted not in taken and port_is_free(wanted, host):
        return Choice(purpose, wanted, wanted)
    port = free_port(host)
    while port in taken:
        port = free_port(host)
    return Choice(purpose, wanted, port)
