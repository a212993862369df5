"""Validation of an employer's request, shared by the web form and the API.

Errors are codes ("required", "invalid", "too_long", ...) per field; the presentation layer
translates them, so the same rules speak Finnish, Swedish and English.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from desk.domain.business_id import InvalidBusinessId, normalise_business_id
from desk.domain.errors import FieldErrors
from desk.domain.languages import LANGUAGES

OTHER_MUNICIPALITY = "other"
# Needs that other forms file cases under: not offered on the request form nor the API.
ACCESSIBILITY_FEEDBACK_NEED = "accessibility-feedback"
NOT_ON_REQUEST_FORM = frozenset({ACCESSIBILITY_FEEDBACK_NEED})
MAX_TEXT = 200
MAX_DESCRIPTION = 5000
MAX_AFFECTED = 1_000_000
MAX_ADDRESS = 200
# The request form offers this many workplaces; the first one routes the request.
MAX_WORKPLACES = 5
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
# C0 and C1 control characters and DEL. A single-line field refuses every one of them; a
# multi-line field (the description) allows tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: a name holding one reads in another order
# than it is stored ("Trojan source", spoofed names and references). Refused in single-line
# fields; a multi-line message may need them for right-to-left text.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing: a name made of them (and whitespace) counts as empty.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
SINGLE_LINE_FIELDS = (
    "business_id",
    "organisation_name",
    "contact_name",
    "email",
    "phone",
    "municipality",
    "municipality_other",
    "need",
    "affected_employees",
    "language",
)

FIELDS = (
    "business_id",
    "organisation_name",
    "contact_name",
    "email",
    "phone",
    "municipality",
    "municipality_other",
    "need",
    "affected_employees",
    "description",
    "language",
    "workplace_address",
)


@dataclass(frozen=True)
class RawWorkplace:
    """A further workplace as typed: a municipality (code or name) and an optional address."""

    municipality: str = ""
    address: str = ""


def workplace_field(position: int, part: str) -> str:
    """The form field of a further workplace's part ("municipality" or "address"), from 2."""
    return f"workplace_{position}_{part}"


@dataclass(frozen=True)
class RawSubmission:
    """What the employer typed, as text, exactly as received."""

    business_id: str = ""
    organisation_name: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    municipality: str = ""  # a code, a Finnish/Swedish name, or "other"
    municipality_other: str = ""
    need: str = ""
    affected_employees: str = ""
    description: str = ""
    language: str = ""
    workplace_address: str = ""  # the first workplace's name or address (optional)


@dataclass(frozen=True)
class CleanWorkplace:
    """A workplace, normalised: position 1 is the one that routed the request."""

    position: int
    municipality_text: str
    address: str


@dataclass(frozen=True)
class CleanSubmission:
    """A validated request, normalised."""

    business_id: str
    organisation_name: str
    contact_name: str
    email: str
    phone: str
    municipality_text: str  # what identifies the workplace municipality (code or name)
    need: str
    affected_employees: int | None
    description: str
    language: str
    workplaces: tuple[CleanWorkplace, ...] = ()


class InvalidSubmission(FieldErrors):
    """Some fields are invalid; errors maps field name to an error code."""


def has_control_characters(value: str, multiline: bool = False) -> bool:
    """True when the text holds a control character its kind of field refuses."""
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL
    return pattern.search(value) is not None


def without_control_characters(value: str, multiline: bool = True) -> str:
    """The text with the control characters its kind of field refuses removed.

    For text nobody can be asked to correct, such as an email's body.
    """
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL
    return pattern.sub("", value)


def has_direction_characters(value: str) -> bool:
    """True when the text holds a bidirectional override, embedding or isolate."""
    return _DIRECTION.search(value) is not None


def is_blank(value: str) -> bool:
    """True when the text shows nothing: only whitespace and zero-width characters."""
    return not value.translate(_INVISIBLE).strip()


def character_error(value: str, multiline: bool = False) -> str | None:
    """The code of the refused characters in a field, if any.

    "control_characters" (any field; NUL included, which PostgreSQL cannot store), or
    "direction_characters" (single-line fields only).
    """
    if has_control_characters(value, multiline=multiline):
        return "control_characters"
    if not multiline and has_direction_characters(value):
        return "direction_characters"
    return None


def control_character_errors(
    values: dict[str, str], multiline: Collection[str] = ()
) -> dict[str, str]:
    """For every field holding a refused character, its code (see character_error)."""
    errors = {}
    for field, value in values.items():
        code = character_error(value, multiline=field in multiline)
        if code is not None:
            errors[field] = code
    return errors


def message_error(value: str, limit: int) -> str | None:
    """The code of what makes a multi-line message unusable ("required", "too_long", ...)."""
    code = character_error(value, multiline=True)
    if code is not None:
        return code
    text = value.strip()
    if is_blank(text):
        return "required"
    if len(text) > limit:
        return "too_long"
    return None


def required_text(value: str, field: str, errors: dict[str, str], limit: int = MAX_TEXT) -> str:
    """The text stripped; "required" or "too_long" in errors[field] when it is not usable.

    Text of only invisible characters counts as empty.
    """
    text = value.strip()
    if is_blank(text):
        errors[field] = "required"
    elif len(text) > limit:
        errors[field] = "too_long"
    return text


def checked_email(value: str, field: str, errors: dict[str, str]) -> str:
    """The address normalised; "required" or "invalid" in errors[field] when it is not one."""
    email = value.strip()
    if not email:
        errors[field] = "required"
        return email
    try:
        return str(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        errors[field] = "invalid"
        return email


def validate_submission(
    raw: RawSubmission, need_codes: Collection[str], workplaces: Sequence[RawWorkplace] = ()
) -> CleanSubmission:
    """Validate and normalise a request, or raise InvalidSubmission naming every bad field.

    `workplaces` are the further workplaces the form names (2, 3, ...), in order.
    """
    errors: dict[str, str] = {}

    business_id = raw.business_id.strip()
    if not business_id:
        errors["business_id"] = "required"
    else:
        try:
            business_id = normalise_business_id(business_id)
        except InvalidBusinessId as exc:
            errors["business_id"] = exc.code

    organisation_name = required_text(raw.organisation_name, "organisation_name", errors)
    contact_name = required_text(raw.contact_name, "contact_name", errors)

    email = checked_email(raw.email, "email", errors)

    phone = raw.phone.strip()
    if len(phone) > 40:
        errors["phone"] = "too_long"
    elif phone and not _PHONE.match(phone):
        errors["phone"] = "invalid"

    municipality = raw.municipality.strip()
    if not municipality:
        errors["municipality"] = "required"
    elif municipality == OTHER_MUNICIPALITY:
        municipality = required_text(raw.municipality_other, "municipality_other", errors, 100)
    elif len(municipality) > 100:
        errors["municipality"] = "too_long"

    need = raw.need.strip()
    if not need:
        errors["need"] = "required"
    elif need not in need_codes or need in NOT_ON_REQUEST_FORM:
        errors["need"] = "unknown"

    affected: int | None = None
    affected_text = raw.affected_employees.strip()
    if affected_text:
        if not affected_text.isdigit() or int(affected_text) > MAX_AFFECTED:
            errors["affected_employees"] = "invalid"
        else:
            affected = int(affected_text)

    description = required_text(raw.description, "description", errors, MAX_DESCRIPTION)

    language = raw.language.strip().lower()
    if language not in LANGUAGES:
        errors["language"] = "required" if not language else "invalid"

    clean_workplaces = _workplaces(raw, municipality, workplaces, errors)
    # Last, so it wins over any other code of the same field: it says what is wrong.
    typed = {name: getattr(raw, name) for name in (*SINGLE_LINE_FIELDS, "description")}
    typed["workplace_address"] = raw.workplace_address
    for position, row in enumerate(workplaces[: MAX_WORKPLACES - 1], start=2):
        typed[workplace_field(position, "municipality")] = row.municipality
        typed[workplace_field(position, "address")] = row.address
    errors.update(control_character_errors(typed, multiline=("description",)))

    if errors:
        raise InvalidSubmission(errors)
    return CleanSubmission(
        business_id=business_id,
        organisation_name=organisation_name,
        contact_name=contact_name,
        email=email,
        phone=phone,
        municipality_text=municipality,
        need=need,
        affected_employees=affected,
        description=description,
        language=language,
        workplaces=clean_workplaces,
    )


def _workplaces(
    raw: RawSubmission,
    first_municipality: str,
    workplaces: Sequence[RawWorkplace],
    errors: dict[str, str],
) -> tuple[CleanWorkplace, ...]:
    """Every workplace named, numbered from 1; none when only the routing municipality is."""
    first_address = raw.workplace_address.strip()
    if len(first_address) > MAX_ADDRESS:
        errors["workplace_address"] = "too_long"
    further: list[CleanWorkplace] = []
    if len(workplaces) > MAX_WORKPLACES - 1:
        errors[workplace_field(MAX_WORKPLACES + 1, "municipality")] = "too_many"
    for position, row in enumerate(workplaces[: MAX_WORKPLACES - 1], start=2):
        municipality, address = row.municipality.strip(), row.address.strip()
        if not municipality and not address:
            continue  # an empty row of the form
        if not municipality:
            errors[workplace_field(position, "municipality")] = "required"
        elif len(municipality) > 100:
            errors[workplace_field(position, "municipality")] = "too_long"
        if len(address) > MAX_ADDRESS:
            errors[workplace_field(position, "address")] = "too_long"
        further.append(CleanWorkplace(len(further) + 2, municipality, address))
    if not further and not first_address:
        return ()
    return (CleanWorkplace(1, first_municipality, first_address), *further)
