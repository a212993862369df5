"""The API's human-readable reference, rendered on the server from the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.get("/docs")
def reference() -> str:
    spec = current_app.extensions["desk.api"].spec.to_dict()
    return render_template("api/reference.html", spec=spec)


@bp.get("/problems/<name>")
def problem_type(name: str) -> Response:
    """Problem type URIs resolve to their explanation on the reference page."""
    return redirect(url_for("api_docs.reference") + f"#problem-{name}", 303)
