"""Staff download a case's attachments: only staff who may view the case (access.may_download)."""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from desk.services import attachments
from desk.services.errors import NotFound
from desk.web import attachments as files
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.staff.case_page import load_case

bp = Blueprint("staff_attachments", __name__, url_prefix="/staff")


@bp.get("/cases/<reference>/attachments/<int:attachment_id>")
@staff_required
def download(reference: str, attachment_id: int) -> Response:
    """The file, as a download; 404 for a case one may not view or another case's file."""
    case = load_case(reference)
    try:
        attachment = attachments.for_download(db_session(), current_actor(), case, attachment_id)
        return files.download(attachment)
    except NotFound:
        abort(404)
