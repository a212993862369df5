"""Signed links sent by email: the token names what it was sent for, so holding the link is
the proof (itsdangerous, one salt per purpose so a token of one kind never opens another)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

EMAIL_CHOICES_SALT = "desk.email-choices.v1"
SURVEY_SALT = "desk.satisfaction-survey.v1"
EMPLOYER_CASE_SALT = "desk.employer-case.v1"
# An employer's case link in an email opens the case for a little over a year.
EMPLOYER_CASE_MAX_AGE_SECONDS = 400 * 24 * 3600
# A survey link answers for half a year after the resolution email; then it is stale.
SURVEY_MAX_AGE_SECONDS = 183 * 24 * 3600


class BadLink(ValueError):
    """The token is forged, of another purpose, malformed or expired."""


@dataclass(frozen=True)
class EmailChoicesLink:
    """An opt-out link: the case it was sent for and the address it was sent to."""

    case_id: int
    email: str


def _address(email: str) -> str:
    return email.strip().lower()


def _is(value: Any, kind: type) -> bool:
    """isinstance, except that a bool is not an int (JSON true must not pass as an id)."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _loads(secret: str, salt: str, token: str, what: str, max_age: int | None) -> Any:
    """The payload of a token of this purpose; BadLink when forged, other or expired."""
    try:
        if max_age is None:
            return URLSafeSerializer(secret, salt=salt).loads(token)
        return URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:  # a BadSignature too: caught first
        raise BadLink(f"expired {what} token") from exc
    except BadSignature as exc:
        raise BadLink(f"bad {what} token") from exc


def _fields(data: Any, what: str, *kinds: type) -> list[Any]:
    """A list payload of exactly these kinds, or BadLink."""
    if not isinstance(data, list) or len(data) != len(kinds):
        raise BadLink(f"malformed {what} token")
    if not all(_is(value, kind) for value, kind in zip(data, kinds, strict=True)):
        raise BadLink(f"malformed {what} token")
    return data


def _number(data: Any, what: str) -> int:
    if not _is(data, int):
        raise BadLink(f"malformed {what} token")
    return int(data)


def email_choices_token(secret: str, case_id: int, email: str) -> str:
    """The token of the email-choices link sent for this case to this address."""
    return str(URLSafeSerializer(secret, salt=EMAIL_CHOICES_SALT).dumps([case_id, _address(email)]))


def read_email_choices_token(secret: str, token: str) -> EmailChoicesLink:
    """What an email-choices token names; raises BadLink."""
    data = _fields(
        _loads(secret, EMAIL_CHOICES_SALT, token, "email-choices", None), "email-choices", int, str
    )
    return EmailChoicesLink(case_id=data[0], email=data[1])


def survey_token(secret: str, case_id: int) -> str:
    """The token of the satisfaction-survey link of a resolved case."""
    return str(URLSafeTimedSerializer(secret, salt=SURVEY_SALT).dumps(case_id))


def read_survey_token(secret: str, token: str, max_age: int = SURVEY_MAX_AGE_SECONDS) -> int:
    """The case id a survey token was made for; raises BadLink (also when expired)."""
    return _number(_loads(secret, SURVEY_SALT, token, "survey", max_age), "survey")


@dataclass(frozen=True)
class EmployerCaseLink:
    """An employer's case link in an email: the case and the address it was sent to."""

    case_id: int
    email: str


def employer_case_token(secret: str, case_id: int, email: str) -> str:
    """The token of the case link sent to this address (emails never carry the raw token)."""
    serializer = URLSafeTimedSerializer(secret, salt=EMPLOYER_CASE_SALT)
    return str(serializer.dumps([case_id, _address(email)]))


def read_employer_case_token(
    secret: str, token: str, max_age: int = EMPLOYER_CASE_MAX_AGE_SECONDS
) -> EmployerCaseLink:
    """What an employer case token names; raises BadLink (also when expired)."""
    data = _fields(
        _loads(secret, EMPLOYER_CASE_SALT, token, "employer case", max_age),
        "employer case",
        int,
        str,
    )
    return EmployerCaseLink(case_id=data[0], email=data[1])


SIGN_IN_SALT = "desk.portal-sign-in.v1"


def sign_in_token(secret: str, sign_in_id: int) -> str:
    """The token of a magic sign-in link (the request row's id, signed)."""
    return str(URLSafeTimedSerializer(secret, salt=SIGN_IN_SALT).dumps(sign_in_id))


def read_sign_in_token(secret: str, token: str, max_age: int) -> int:
    """The sign-in request id a token names; raises BadLink (also when older than max_age)."""
    return _number(_loads(secret, SIGN_IN_SALT, token, "sign-in", max_age), "sign-in")


SET_PASSWORD_SALT = "desk.staff-set-password.v1"
# A staff member's invitation (or a new set-password link) works for three days.
SET_PASSWORD_MAX_AGE_SECONDS = 72 * 3600


@dataclass(frozen=True)
class SetPasswordLink:
    """A set-password link: the staff member, the state of their account it was made for
    (so it dies once a password is set) and when the invitation was made (epoch seconds)."""

    user_id: int
    stamp: str
    issued_at: int


def set_password_token(secret: str, user_id: int, stamp: str, issued_at: int) -> str:
    """The token of a staff member's set-password link."""
    serializer = URLSafeTimedSerializer(secret, salt=SET_PASSWORD_SALT)
    return str(serializer.dumps([user_id, stamp, issued_at]))


def read_set_password_token(
    secret: str, token: str, max_age: int = SET_PASSWORD_MAX_AGE_SECONDS
) -> SetPasswordLink:
    """What a set-password token names; raises BadLink (also when expired)."""
    data = _fields(
        _loads(secret, SET_PASSWORD_SALT, token, "set-password", max_age),
        "set-password",
        int,
        str,
        int,
    )
    return SetPasswordLink(user_id=data[0], stamp=data[1], issued_at=data[2])
