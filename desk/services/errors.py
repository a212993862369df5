"""Errors services raise for the presentation layer to translate."""


class NotFound(LookupError):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(PermissionError):
    """The caller may not do this."""


class Conflict(RuntimeError):
    """The request conflicts with the current state (e.g. an invalid status change).

    `code` is stable and translated by the presentation layer: closed, invalid_transition,
    unchanged, unknown_status.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
