"""Problem details (RFC 9457): every API error as application/problem+json.

Each problem has a stable `type` (a URI under /api/v1/problems/, explained on the reference
page), a `title` translated by Accept-Language (fi, sv, en; Finnish by default), the HTTP
`status`, a `detail` for this occurrence and, for invalid input, `errors` naming each field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from desk.web.messages import error_message

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its URI name, HTTP status and translated title."""

    name: str
    status: int
    title: Any  # a lazy string, translated when rendered
    description: Any


PROBLEM_TYPES = {
    p.name: p
    for p in (
        ProblemType(
            "malformed-json",
            400,
            _l("The request body is not valid JSON"),
            _l("The body could not be parsed as JSON. Check quoting, commas and the encoding."),
        ),
        ProblemType(
            "bad-request",
            400,
            _l("Bad request"),
            _l("The request could not be understood."),
        ),
        ProblemType(
            "unauthorized",
            401,
            _l("Authentication is required"),
            _l(
                "Send a valid API token as `Authorization: Bearer desk_…`, or the case token "
                "as `X-Case-Token`. A token that is revoked, unknown or whose owner is no "
                "longer active is refused."
            ),
        ),
        ProblemType(
            "forbidden",
            403,
            _l("You may not do this"),
            _l(
                "The token lacks the scope this operation needs, or its owner may read the "
                "case but not work on it."
            ),
        ),
        ProblemType(
            "not-found",
            404,
            _l("Not found"),
            _l("There is nothing here, or you may not know that there is."),
        ),
        ProblemType(
            "method-not-allowed",
            405,
            _l("Method not allowed"),
            _l("The resource does not support this method; the Allow header lists those it does."),
        ),
        ProblemType(
            "conflict",
            409,
            _l("The request conflicts with the state of the case"),
            _l(
                "For example a status change the case's life cycle does not allow, or a "
                "closed case."
            ),
        ),
        ProblemType(
            "payload-too-large",
            413,
            _l("The request is too large"),
            _l("Request bodies may be at most 256 KiB."),
        ),
        ProblemType(
            "unsupported-media-type",
            415,
            _l("Send the request body as JSON"),
            _l("Operations with a body accept only `Content-Type: application/json`."),
        ),
        ProblemType(
            "validation",
            422,
            _l("Some fields are invalid"),
            _l("`errors` names each invalid field, with a stable code and a translated message."),
        ),
        ProblemType(
            "idempotency-key-reused",
            422,
            _l("The Idempotency-Key was used for a different request"),
            _l(
                "A retry must send the same body as the first request with that key; use a new "
                "key for a new request."
            ),
        ),
        ProblemType(
            "rate-limited",
            429,
            _l("Too many requests"),
            _l("Wait for the number of seconds in the Retry-After header and try again."),
        ),
        ProblemType(
            "server-error",
            500,
            _l("Something went wrong on our side"),
            _l("The error was logged. Try again later."),
        ),
    )
}

_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limited",
}


@dataclass(frozen=True)
class FieldError:
    """One invalid input: where (body, query, header, path), which field, which code."""

    field: str
    code: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        item = {
            "field": self.field,
            "location": self.location,
            "code": self.code,
            "detail": error_message(self.field, self.code, "api"),
        }
        if self.location == "body":
            escaped = self.field.replace("~", "~0").replace("/", "~1")
            item["pointer"] = "#/" + escaped if self.field else "#"
        return item


@dataclass(eq=False)
class ApiProblem(Exception):
    """Raised by API views; rendered as problem+json by the error handler."""

    kind: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return PROBLEM_TYPES[self.kind].status


def invalid(errors: dict[str, str], location: str = "body", detail: str = "") -> ApiProblem:
    """A 422 validation problem naming each field (field -> error code)."""
    return ApiProblem(
        "validation",
        detail or _("Correct the fields listed in errors and send the request again."),
        [FieldError(name, code, location) for name, code in errors.items()],
    )


def is_api_request() -> bool:
    """True for requests under /api/ (they get problem+json, never HTML error pages)."""
    return request.path == "/api" or request.path.startswith("/api/")


def render(problem: ApiProblem) -> Response:
    """The problem as an application/problem+json response in the request's language."""
    kind = PROBLEM_TYPES[problem.kind]
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind.name,
        "title": str(kind.title),
        "status": kind.status,
        "detail": problem.detail or str(kind.description),
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = [error.as_dict() for error in problem.errors]
    body.update(problem.extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=kind.status, mimetype=PROBLEM_JSON
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def from_http_exception(exc: HTTPException) -> ApiProblem:
    """Werkzeug's and Flask's errors (404, 405, 413, 500, ...) as problems."""
    code = exc.code or 500
    kind = _BY_STATUS.get(code, "server-error" if code >= 500 else "bad-request")
    headers = {
        name: value
        for name, value in exc.get_headers()
        if name.lower() not in ("content-type", "content-length")
    }
    detail = ""
    if code == 405:
        detail = _("Use one of the methods in the Allow header.")
    return ApiProblem(kind, detail, headers=headers)


def render_http_exception(exc: HTTPException) -> Response:
    """An HTTP error under /api/ as a problem (429 gets Retry-After from the limiter)."""
    problem = from_http_exception(exc)
    if problem.status == 429:
        from desk.web.api.limits import seconds_to_wait

        problem.headers["Retry-After"] = seconds_to_wait()
        problem.detail = _("Too many requests: try again in %(seconds)s seconds.") % {
            "seconds": problem.headers["Retry-After"]
        }
    return render(problem)
