"""A real local IMAP server for tests: Debian's Dovecot run as a child process of the test,
with a configuration of its own (plain login on 127.0.0.1, a free port, Maildir in a temp
directory). Dovecot switches to its own users, so it needs root (CI and this machine run as
root); elsewhere the tier is unavailable."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.services import free_port
from tests.support.tiers import unavailable

DOVECOT = "/usr/sbin/dovecot"
USER = "desk@desk.invalid"
PASSWORD = "imap-test-password"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass(frozen=True)
class ImapServer:
    port: int
    root: Path

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes) -> None:
        """Put a message in the INBOX as the authority's mail server would."""
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self.client()
        try:
            client.select("INBOX")
            _typ, data = client.search(None, "UNSEEN")
            return len(data[0].split())
        finally:
            client.logout()


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """Start Dovecot on a free port; stop it (and only it) at the end."""
    if not os.path.exists(DOVECOT):
        unavailable(f"{DOVECOT} missing (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        unavailable("Dovecot's own users need the test to run as root")
    root = Path(tempfile.mkdtemp(prefix="desk-imap-"))
    root.chmod(0o755)  # the mail processes run as the dovecot user
    port = free_port()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    shutil.chown(root / "mail", "dovecot", "dovecot")
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(_CONFIG.format(root=root, port=port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    server = ImapServer(port, root)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                server.client().logout()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text(errors="replace")
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    raise AssertionError(f"Dovecot did not start\n{log}") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)
