"""The JSON API under /api/v1, its OpenAPI 3.1 document and its reference page.

init_api wires flask-smorest (the document is generated from the views and their marshmallow
schemas, so it cannot drift from the code), the rate limits, and the CSRF exemption (the API
authenticates with tokens in headers, never with cookies, so cross-site forms cannot use it).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

API_VERSION = "1.0.0"
TAGS = {"public_api": "Employers", "staff_api": "Staff", "reports_api": "Reports"}


def _spec_options(app: Flask) -> dict[str, Any]:
    return {
        "info": {
            "description": (
                "The Päijät-Häme employer desk: one front door for the employers of the ten "
                "municipalities. Public operations need no account; staff operations need an "
                "API token. Errors are RFC 9457 problem details (application/problem+json) "
                "with a translated title (Accept-Language: fi, sv, en; Finnish by default). "
                "The human-readable reference is at /api/v1/docs."
            ),
            "license": {"name": "Proprietary"},
        },
        "servers": [{"url": "/", "description": "This desk"}],
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "desk_ followed by 43 characters",
                    "description": (
                        "A staff API token created by an administrator on /admin/api-tokens. "
                        "Scopes: read (GET), write (changes), reports (the reports: managers and "
                        "administrators)."
                    ),
                }
            }
        },
    }


def init_api(app: Flask) -> None:
    """Register the API blueprints, the OpenAPI document, the reference page and the limits."""
    from desk.web.api import docs, limits, public, reports, staff
    from desk.web.api.core import DeskApi
    from desk.web.extensions import csrf

    app.config.setdefault("API_TITLE", "Päijät-Häme employer desk API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", _spec_options(app))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # "Päijät-Häme", not "\u00e4"
    api = DeskApi(app)
    for blueprint in (public.bp, staff.bp, reports.bp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    _finish_document(api, {**public.LINKS, **staff.LINKS})
    app.register_blueprint(docs.bp)
    app.extensions["desk.api"] = api
    limits.init_limits(app, public.bp, staff.bp, reports.bp)
    app.after_request(_private)


def _private(response: Response) -> Response:
    """API answers hold case data: no caches; they also depend on Accept-Language."""
    path = request.path
    if path.startswith("/api/v1/") and not path.startswith(("/api/v1/docs", "/api/v1/openapi")):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept-Language")
    return response


def _finish_document(api: Any, links: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Readable tag names, and response links by operationId.

    flask-smorest names a tag after its blueprint and drops a response's documentation when
    a manual doc adds links to it, so both are set here on the finished paths.
    """
    for tag in api.spec._tags:
        tag["name"] = TAGS.get(tag["name"], tag["name"])
    for operations in api.spec._paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            operation["tags"] = [TAGS.get(tag, tag) for tag in operation.get("tags", [])]
            for status, found in links.get(operation.get("operationId", ""), {}).items():
                operation["responses"][status].setdefault("links", {}).update(found)
