"""Attachments: which files the desk accepts, judged by their content and never by their name,
the limits of one message, and a file name made safe for a download header.

Errors are codes ("type", "too_big", "too_many", "total_too_big", "empty"); the web layer
translates them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import filetype

from desk.domain.errors import FieldErrors

# Detected MIME type -> the extension the download is named with.
IMAGE_AND_PDF = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
# Office documents are zip containers: told apart by what they hold, not by the zip itself.
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
ALLOWED_TYPES = frozenset(
    [*IMAGE_AND_PDF, *(mime for mime, _ in OOXML.values()), *ODF, "text/plain"]
)
MAX_NAME = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


class AttachmentRefused(FieldErrors):
    """A file was refused; errors maps the field ("attachments") to a code."""


@dataclass(frozen=True)
class Limits:
    """How much one message may carry."""

    max_bytes: int = 10 * 1024 * 1024
    max_count: int = 5
    max_total_bytes: int = 25 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender gave it and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check."""

    name: str  # sanitised
    data: bytes
    content_type: str


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return mimetype if mimetype in ODF else None
            if "[Content_Types].xml" in names:
                for prefix, (mime, _ext) in OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    if not data or b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Printable text with line breaks and tabs only, nothing else from the control range.
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def detect_type(data: bytes) -> str | None:
    """The allowed MIME type the content is, or None (an executable, a script, anything else)."""
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind is not None else None
    if mime in IMAGE_AND_PDF:
        return str(mime)
    if mime == "application/zip" or data[:4] == b"PK\x03\x04":
        return _zip_type(data)
    if mime is None and _looks_like_text(data):
        return "text/plain"
    return None


def extension_for(content_type: str) -> str:
    """The extension a file of this detected type is named with."""
    if content_type in IMAGE_AND_PDF:
        return IMAGE_AND_PDF[content_type]
    for mime, ext in OOXML.values():
        if mime == content_type:
            return ext
    return ODF.get(content_type, "txt")


def safe_name(name: str, content_type: str) -> str:
    """The sender's file name without paths or control characters, with the detected type's
    extension (a PDF called report.exe is downloaded as report.exe.pdf)."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .") or "attachment"
    ext = extension_for(content_type)
    if not base.lower().endswith("." + ext) and not (
        ext == "jpg" and base.lower().endswith(".jpeg")
    ):
        base = f"{base}.{ext}"
    if len(base) > MAX_NAME:
        base = base[: MAX_NAME - len(ext) - 1] + "." + ext
    return base


def check_uploads(uploads: Sequence[Upload], limits: Limits) -> list[CheckedFile]:
    """The files, checked for count, size and content; AttachmentRefused naming the first
    problem otherwise (nothing is stored then)."""
    files = [upload for upload in uploads if upload.name or upload.data]
    if len(files) > limits.max_count:
        raise AttachmentRefused({"attachments": "too_many"})
    if sum(len(upload.data) for upload in files) > limits.max_total_bytes:
        raise AttachmentRefused({"attachments": "total_too_big"})
    checked: list[CheckedFile] = []
    for upload in files:
        if not upload.data:
            raise AttachmentRefused({"attachments": "empty"})
        if len(upload.data) > limits.max_bytes:
            raise AttachmentRefused({"attachments": "too_big"})
        content_type = detect_type(upload.data)
        if content_type is None:
            raise AttachmentRefused({"attachments": "type"})
        checked.append(CheckedFile(safe_name(upload.name, content_type), upload.data, content_type))
    return checked


def content_disposition(name: str) -> str:
    """An RFC 6266 attachment header: an ASCII fallback and the UTF-8 name in filename*."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]+", "_", fallback).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
