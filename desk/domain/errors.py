"""The error every layer raises for invalid input: field name -> a stable error code."""

from __future__ import annotations


class FieldErrors(ValueError):
    """Some fields are invalid; `errors` maps each field's name to an error code that the
    presentation layer translates (required, invalid, too_long, ...)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
