"""Finnish Business ID (Y-tunnus): NNNNNNN-C with a mod-11 check digit."""

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import ytunnus


class InvalidBusinessId(ValueError):
    """The text is not a valid Finnish Business ID; `code` is "invalid" or "checksum"."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def normalise_business_id(value: str) -> str:
    """Return the Business ID in its canonical NNNNNNN-C form or raise InvalidBusinessId."""
    text = (value or "").strip()
    if not text:
        raise InvalidBusinessId("empty")
    try:
        return str(ytunnus.format(ytunnus.validate(text)))
    except InvalidChecksum as exc:
        raise InvalidBusinessId(str(exc), "checksum") from exc
    except ValidationError as exc:
        raise InvalidBusinessId(str(exc)) from exc


def is_valid_business_id(value: str) -> bool:
    """True when value is a valid Business ID."""
    try:
        normalise_business_id(value)
    except InvalidBusinessId:
        return False
    return True
