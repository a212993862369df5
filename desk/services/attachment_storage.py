"""Where attachment bytes live: a small Storage interface, the file system behind it today.

The database holds only a storage key; an object store is plugged in by writing one more
class with put/open/delete and naming it in ATTACHMENTS_STORAGE.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


class Storage(Protocol):
    """Bytes in, an opaque key out; the key opens and deletes them again."""

    def put(self, stream: BinaryIO) -> str:
        """Store the stream's bytes under a new key and return the key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored bytes of a key (KeyError when there are none)."""
        ...

    def delete(self, key: str) -> None:
        """Remove a key's bytes; nothing happens when there are none."""
        ...


class FileSystemStorage:
    """Files in a directory outside the web root, named by random keys (never by the sender's
    name), two levels of subdirectories so no directory grows too large."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise KeyError(key)
        return self.root / key

    def put(self, stream: BinaryIO) -> str:
        """Write to a temporary file, then rename: a key never names half a file."""
        token = secrets.token_hex(32)
        key = f"{token[:2]}/{token[2:4]}/{token}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("xb") as out:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
        partial.replace(path)
        return key

    def open(self, key: str) -> BinaryIO:
        """The stored file, opened for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self._path(key).unlink(missing_ok=True)


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """The storage the configuration names (ATTACHMENTS_STORAGE, "filesystem" by default)."""
    kind = str(config.get("ATTACHMENTS_STORAGE", "filesystem"))
    if kind == "filesystem":
        return FileSystemStorage(str(config["ATTACHMENTS_DIR"]))
    raise ValueError(f"unknown ATTACHMENTS_STORAGE {kind!r}")
