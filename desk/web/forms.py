"""CSRF-protected forms. Field validation lives in the domain, shared with the API."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):  # type: ignore[misc]
    """A form carrying only the CSRF token; fields are read from request.form."""
