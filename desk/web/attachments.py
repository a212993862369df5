"""The web side of attachments: the uploads of a form, the configured storage and limits, and
a download response that a browser saves and never renders."""

from __future__ import annotations

from flask import Response, current_app, request
from werkzeug.wsgi import wrap_file

from desk.domain.attachments import Limits, Upload, content_disposition
from desk.models import Attachment
from desk.services import attachments
from desk.services.attachment_storage import Storage, storage_from_config

FIELD = "attachments"


def storage() -> Storage:
    """The storage the configuration names."""
    return storage_from_config(current_app.config)


def limits() -> Limits:
    """The configured per-file and per-message limits."""
    return attachments.limits_from_config(current_app.config)


def accept_uploads() -> None:
    """Let this request's body be as large as a message's files may be (call before reading
    the form); a bigger body is refused with 413 before anything is read."""
    request.max_content_length = int(current_app.config["ATTACHMENT_REQUEST_MAX_BYTES"])


def uploads() -> list[Upload]:
    """The files of the form's attachments field (an empty file input sends no name)."""
    files = []
    for file in request.files.getlist(FIELD):
        if not file.filename:
            continue
        files.append(Upload(file.filename, file.read()))
    return files


def download(attachment: Attachment) -> Response:
    """The stored bytes as a download: saved, never shown inline, never cached or sniffed."""
    stream = attachments.open_attachment(storage(), attachment)
    response = Response(
        wrap_file(request.environ, stream),
        mimetype=attachment.content_type or "application/octet-stream",
        direct_passthrough=True,
    )
    response.content_length = attachment.size
    response.headers["Content-Disposition"] = content_disposition(attachment.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
