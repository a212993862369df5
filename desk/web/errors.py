"""Friendly, translated error pages with correct status codes; problem+json under /api/."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response


def register(app: Flask) -> None:
    from desk.web.api import problems

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
        if problems.is_api_request():
            return problems.render_http_exception(exc)
        made = exc.get_response() if exc.response is not None else None
        if made is not None:  # a page the raiser made (a 429 that keeps the form)
            return made
        code = exc.code or 500
        return render_template("errors/error.html", code=code), code

    @app.errorhandler(problems.ApiProblem)
    def _api_problem(problem: problems.ApiProblem) -> Response:
        return problems.render(problem)
