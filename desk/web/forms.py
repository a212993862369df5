"""CSRF-protected forms. Field validation lives in the domain, shared with the API."""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask_wtf import FlaskForm

from desk.web.extensions import csrf

P = ParamSpec("P")
R = TypeVar("R")


class CsrfForm(FlaskForm):  # type: ignore[misc]
    """A form carrying only the CSRF token; fields are read from request.form."""


def checks_csrf_itself(view: Callable[P, R]) -> Callable[P, R]:
    """Exempt a view from the global CSRF guard because it validates CsrfForm itself.

    Such views answer a bad or expired token by re-rendering the form with everything the
    user typed, instead of the global guard's bare 400 page. Every other POST view stays
    under the global guard.
    """
    exempted: Callable[P, R] = csrf.exempt(view)
    return exempted
