"""Attachments of a case: checked, stored behind the storage interface, and found again for a
download by whoever may have them."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.attachments import CheckedFile, Limits
from desk.models import Attachment, Case, CaseMessage
from desk.services.access import Actor, ActorKind, may_download
from desk.services.attachment_storage import Storage
from desk.services.errors import NotFound


def limits_from_config(config: Mapping[str, Any]) -> Limits:
    """The per-file and per-message limits of the configuration."""
    return Limits(
        max_bytes=int(config["ATTACHMENT_MAX_BYTES"]),
        max_count=int(config["ATTACHMENT_MAX_COUNT"]),
        max_total_bytes=int(config["ATTACHMENT_MAX_TOTAL_BYTES"]),
    )


def add_attachments(
    session: Session,
    storage: Storage,
    case: Case,
    files: Sequence[CheckedFile],
    actor: Actor,
    message: CaseMessage | None = None,
) -> list[Attachment]:
    """Store checked files and their rows in the caller's transaction (no commit).

    The bytes are in the storage before the rows are committed: a caller whose transaction
    fails removes them again with `discard`.
    """
    rows: list[Attachment] = []
    keys: list[str] = []
    try:
        for file in files:
            keys.append(storage.put(io.BytesIO(file.data)))
    except BaseException:
        for key in keys:  # a storage failing halfway keeps nothing
            storage.delete(key)
        raise
    for file, key in zip(files, keys, strict=True):
        row = Attachment(
            case_id=case.id,
            message_id=message.id if message is not None else None,
            storage_key=key,
            name=file.name,
            content_type=file.content_type,
            size=len(file.data),
            sha256=hashlib.sha256(file.data).hexdigest(),
            uploaded_by_kind="staff" if actor.kind is ActorKind.STAFF else "employer",
            uploaded_by_id=actor.user_id,
        )
        session.add(row)
        rows.append(row)
    try:
        session.flush()
    except BaseException:
        discard(storage, rows)  # e.g. the submission key taken by a racing post
        raise
    return rows


def discard(storage: Storage, rows: Sequence[Attachment]) -> None:
    """Remove the stored bytes of rows whose transaction did not commit."""
    for row in rows:
        storage.delete(row.storage_key)


def for_download(session: Session, actor: Actor, case: Case, attachment_id: int) -> Attachment:
    """The case's attachment if the actor may download it; NotFound otherwise (also for an
    attachment of another case, so ids of other cases reveal nothing)."""
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id)
    )
    if attachment is None or not may_download(actor, case, attachment):
        raise NotFound("attachment")
    return attachment


def open_attachment(storage: Storage, attachment: Attachment) -> BinaryIO:
    """The stored bytes; NotFound when the storage has lost them."""
    try:
        return storage.open(attachment.storage_key)
    except KeyError as exc:
        raise NotFound("attachment") from exc


def by_message(attachments: Sequence[Attachment]) -> dict[int | None, list[Attachment]]:
    """A case's attachments grouped by message id (None: sent with the request)."""
    grouped: dict[int | None, list[Attachment]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.message_id, []).append(attachment)
    return grouped
