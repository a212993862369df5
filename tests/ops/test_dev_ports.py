"""`make run` never falls over on a busy port: `desk dev-ports` moves to a free one."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.devports import choose, port_is_free

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESK = PROJECT_ROOT / ".venv" / "bin" / "desk"


@pytest.fixture
def busy() -> Iterator[list[int]]:
    """Two ports something else is listening on."""
    sockets = []
    for _ in range(2):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sockets.append(sock)
    try:
        yield [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def test_a_free_wanted_port_is_kept_and_a_taken_one_replaced(busy: list[int]) -> None:
    assert not port_is_free(busy[0])
    moved = choose("web", busy[0])
    assert moved.moved and moved.port != busy[0] and port_is_free(moved.port)
    kept = choose("web", moved.port)
    assert kept.port == moved.port and not kept.moved
    # Two purposes never get the same port.
    other = choose("mail", moved.port, avoid={moved.port})
    assert other.port != moved.port


def test_the_launcher_prints_free_ports_and_says_which_were_taken(busy: list[int]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    done = subprocess.run(
        [str(DESK), "dev-ports", "--web-port", str(busy[0]), "--smtp-port", str(busy[1])],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines())
    web, smtp = int(exports["DESK_WEB_PORT"]), int(exports["DESK_SMTP_PORT"])
    assert web not in busy and smtp not in busy and web != smtp
    assert port_is_free(web) and port_is_free(smtp)
    assert f"Port {busy[0]} (web) is taken: using {web}." in done.stderr
    assert f"Port {busy[1]} (mail catcher (SMTP)) is taken: using {smtp}." in done.stderr
    # The shell line of `make run` takes them (eval), and the catcher starts on its port.
    shell = subprocess.run(
        ["sh", "-c", f'eval "{done.stdout}" && echo "$DESK_WEB_PORT $DESK_SMTP_PORT"'],
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    assert shell.stdout.split() == [str(web), str(smtp)]


def test_the_mail_catcher_starts_on_the_port_chosen_for_it(tmp_path: Path, busy: list[int]) -> None:
    from desk.services.mailcatcher import start_catcher

    port = choose("mail", busy[1]).port  # the wanted one is taken: no crash, another port
    controller = start_catcher(str(tmp_path), "127.0.0.1", port)
    try:
        assert controller.port == port
        assert not port_is_free(port)
    finally:
        controller.stop()
