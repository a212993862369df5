"""Marshmallow schemas of the API: they validate input and generate the OpenAPI document.

The document states exactly what the server checks by type, length, range and enumeration;
rules a schema cannot state (a Business ID's check digit, a need code that exists, text that
is not only spaces) are the domain's, answered with 422 and the same error codes as the
request form. Error messages of the fields are error codes ("required", "invalid",
"too_long", "out_of_range", "unknown_field"), translated when the problem is rendered.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from desk.domain.case_status import CaseStatus
from desk.domain.intake import MAX_AFFECTED, MAX_DESCRIPTION, MAX_TEXT
from desk.domain.languages import LANGUAGES
from desk.domain.reports import MEASURES
from desk.services.api_tokens import SCOPES
from desk.services.cases import MAX_MESSAGE
from desk.services.transfers import MAX_REASON

_CODES = {
    "required": "required",
    "null": "required",
    "invalid": "invalid",
    "invalid_utf8": "invalid",
    "too_large": "out_of_range",
}
_INTEGER = re.compile(r"-?[0-9]+")
STATUSES = [status.value for status in CaseStatus]


class Strict(ma.Schema):
    """Unknown fields are refused (additionalProperties: false), with stable codes."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "unknown_field", "type": "invalid"}


class FullMatch(validate.Regexp):
    """A pattern the whole value must match (as JSON Schema's `pattern` with ^...$ reads)."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


def _no_nul(value: str) -> None:
    # PostgreSQL text cannot hold NUL characters, nor UTF-8 lone surrogates.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ma.ValidationError("invalid")


def text(max_length: int, **kwargs: Any) -> fields.String:
    """A string of at most max_length characters."""
    return fields.String(
        validate=[validate.Length(max=max_length, error="too_long"), _no_nul],
        error_messages=dict(_CODES),
        **kwargs,
    )


def choice(values: list[str], **kwargs: Any) -> fields.String:
    """One of the values (an enum in the document)."""
    return fields.String(
        validate=validate.OneOf(values, error="invalid"), error_messages=dict(_CODES), **kwargs
    )


class WholeNumber(fields.Integer):
    """An integer: JSON numbers with no fraction (1.0 counts, as in JSON Schema), no booleans.

    In a query string (from_text) only digits with an optional minus sign are read as one.
    """

    def __init__(self, *, from_text: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.from_text = from_text

    def _validated(self, value: Any) -> int:
        if value is True or value is False:
            raise self.make_error("invalid", input=value)
        if isinstance(value, str):
            if not self.from_text:
                raise self.make_error("invalid", input=value)
            if not _INTEGER.fullmatch(value):
                raise self.make_error("invalid", input=value)
            return int(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.make_error("invalid", input=value)
            return int(value)
        if not isinstance(value, int):
            raise self.make_error("invalid", input=value)
        return value


def whole_number(minimum: int, maximum: int, **kwargs: Any) -> WholeNumber:
    """An integer within [minimum, maximum] (from_text=True for query strings)."""
    return WholeNumber(
        validate=validate.Range(min=minimum, max=maximum, error="out_of_range"),
        error_messages=dict(_CODES),
        **kwargs,
    )


# --- requests ------------------------------------------------------------------------------


class CaseSubmissionSchema(Strict):
    """An employer's request: the same fields and rules as the request form."""

    business_id = text(
        20,
        required=True,
        metadata={
            "description": "Business ID (Y-tunnus), NNNNNNN-C with a valid check digit.",
            "example": "0112038-9",
        },
    )
    organisation_name = text(
        MAX_TEXT, required=True, metadata={"example": "Orimattilan Metalli Oy"}
    )
    contact_name = text(MAX_TEXT, required=True, metadata={"example": "Teija Työnantaja"})
    email = text(
        254,
        required=True,
        metadata={"description": "The employer's email address.", "example": "teija@example.fi"},
    )
    phone = text(
        40,
        allow_none=True,
        metadata={"description": "Optional; digits, spaces, +.", "example": "+358 40 123 4567"},
    )
    municipality = text(
        100,
        required=True,
        metadata={
            "description": (
                'Workplace municipality: a Statistics Finland code ("560") or a Finnish or '
                'Swedish name ("Orimattila", "Lahtis"). Anything else is outside the ten '
                "municipalities and goes to the regional intake team, which refers it on."
            ),
            "example": "Orimattila",
        },
    )
    need = text(
        40,
        required=True,
        metadata={
            "description": "A need code; GET /api/v1/processing-times lists them.",
            "example": "recruitment",
        },
    )
    description = text(
        MAX_DESCRIPTION, required=True, metadata={"example": "We need three welders from January."}
    )
    language = choice(
        list(LANGUAGES),
        required=True,
        metadata={
            "description": "Language of the replies and of the routing reason.",
            "example": "fi",
        },
    )
    affected_employees = whole_number(
        0,
        MAX_AFFECTED,
        allow_none=True,
        metadata={
            "description": "Optional: employees affected (lay-offs, change security).",
            "example": 3,
        },
    )


class MessageSchema(Strict):
    """A message: the employer's answer, a public reply or an internal note."""

    body = text(
        MAX_MESSAGE,
        required=True,
        metadata={"description": "Not blank.", "example": "Thank you, we will call you on Monday."},
    )


class StatusChangeSchema(Strict):
    status = choice(STATUSES, required=True)


class AssignmentSchema(Strict):
    assignee = whole_number(
        1,
        2**31 - 1,
        required=True,
        metadata={"description": "User id of an active member of the case's team."},
    )


class TransferSchema(Strict):
    team = text(
        80,
        required=True,
        metadata={
            "description": "Slug of the receiving team.",
            "example": "lahti-employer-services",
        },
    )
    reason = text(
        MAX_REASON,
        required=True,
        metadata={
            "description": "Shown to the employer. Not blank.",
            "example": "The workplace is in Lahti.",
        },
    )


class RoutingQuerySchema(Strict):
    municipality = text(
        100, required=True, metadata={"description": "A code or a name.", "example": "Lahtis"}
    )
    need = text(40, required=True, metadata={"example": "recruitment"})
    affected_employees = whole_number(0, MAX_AFFECTED, from_text=True)
    language = choice(list(LANGUAGES), metadata={"description": "Language of the reason (fi)."})


class CaseListQuerySchema(Strict):
    status = fields.List(
        choice(STATUSES),
        metadata={"description": "Any of these statuses (repeat the parameter); all if absent."},
    )
    need = text(40, metadata={"description": "A need code."})
    municipality = text(
        100,
        metadata={"description": "A code or Finnish/Swedish name, or `other` for outside the ten."},
    )
    assignee = fields.String(
        validate=FullMatch(r"^(me|none|[1-9][0-9]{0,9})$", error="invalid"),
        error_messages=dict(_CODES),
        metadata={"description": "`me`, `none` (unassigned) or a user id."},
    )
    cursor = text(200, metadata={"description": "`next_cursor` of the previous page."})
    limit = whole_number(
        1, 100, from_text=True, load_default=25, metadata={"description": "Page size."}
    )


# --- responses -----------------------------------------------------------------------------


class FieldErrorSchema(ma.Schema):
    field = fields.String(required=True, metadata={"description": "The invalid field."})
    location = fields.String(
        required=True, validate=validate.OneOf(["body", "query", "header", "path"])
    )
    code = fields.String(required=True, metadata={"description": "Stable error code."})
    detail = fields.String(required=True, metadata={"description": "Translated message."})
    pointer = fields.String(metadata={"description": "JSON Pointer into the body."})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"description": "Stable URI of the problem."})
    title = fields.String(required=True, metadata={"description": "Translated summary."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema))


class NamedSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "In the request's language."})


class TargetSchema(ma.Schema):
    """A service-level target of a case (first response or resolution)."""

    target = fields.String(required=True, validate=validate.OneOf(["first_response", "resolution"]))
    state = fields.String(
        required=True,
        validate=validate.OneOf(["on_track", "at_risk", "breached", "met", "paused"]),
    )
    due_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "None while paused."}
    )
    met_at = fields.DateTime(required=True, allow_none=True)


class StaffTargetSchema(TargetSchema):
    remaining_minutes = fields.Integer(
        required=True, metadata={"description": "Business minutes left; negative when overdue."}
    )
    target_minutes = fields.Integer(required=True)
    elapsed_minutes = fields.Float(required=True)
    policy_version = fields.Integer(required=True)
    met_in_time = fields.Boolean(required=True, allow_none=True)


class CaseReceiptSchema(ma.Schema):
    """What a submission returns: where the case went and why, and how to follow it."""

    reference = fields.String(required=True, metadata={"example": "TP-2026-000042"})
    status = choice(STATUSES, required=True)
    team = fields.String(required=True, metadata={"description": "Slug of the team."})
    team_name = fields.String(required=True)
    authority = fields.String(required=True, metadata={"description": "Slug of the authority."})
    authority_name = fields.String(required=True)
    rule = fields.String(required=True, metadata={"description": "The routing rule that fired."})
    reason = fields.String(required=True, metadata={"description": "In the case's language."})
    need = fields.String(required=True)
    municipality = fields.String(required=True, allow_none=True)
    language = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expected_first_response_at = fields.DateTime(required=True, allow_none=True)
    expected_resolution_at = fields.DateTime(required=True, allow_none=True)
    case_token = fields.String(
        required=True, metadata={"description": "Send as X-Case-Token to read and answer."}
    )
    case_url = fields.String(required=True, metadata={"description": "The employer's page."})


class EmployerMessageSchema(ma.Schema):
    id = fields.Integer(required=True)
    author = fields.String(required=True, validate=validate.OneOf(["employer", "staff"]))
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class EmployerCaseSchema(ma.Schema):
    """The case as the employer sees it: public messages only, never internal notes."""

    reference = fields.String(required=True)
    status = choice(STATUSES, required=True)
    team = fields.Nested(NamedSchema, required=True)
    authority = fields.Nested(NamedSchema, required=True)
    reason = fields.String(required=True)
    need = fields.Nested(NamedSchema, required=True)
    organisation_name = fields.String(required=True)
    business_id = fields.String(required=True)
    description = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expected_dates = fields.List(fields.Nested(TargetSchema), required=True)
    messages = fields.List(fields.Nested(EmployerMessageSchema), required=True)


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MemberSchema(PersonSchema):
    email = fields.String(required=True)
    role = fields.String(required=True)
    absent = fields.Boolean(required=True)


class StaffMessageSchema(ma.Schema):
    id = fields.Integer(required=True)
    author_kind = fields.String(required=True, validate=validate.OneOf(["employer", "staff"]))
    author = fields.Nested(PersonSchema, required=True, allow_none=True)
    visibility = fields.String(required=True, validate=validate.OneOf(["public", "internal"]))
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class EventSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    actor_kind = fields.String(required=True)
    actor = fields.Nested(PersonSchema, required=True, allow_none=True)
    data = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)


class CaseSummarySchema(ma.Schema):
    """A case in a list."""

    reference = fields.String(required=True)
    status = choice(STATUSES, required=True)
    need = fields.String(required=True)
    municipality = fields.String(required=True, allow_none=True)
    municipality_text = fields.String(required=True, metadata={"description": "Outside the ten."})
    organisation_name = fields.String(required=True)
    business_id = fields.String(required=True)
    language = fields.String(required=True)
    team = fields.String(required=True)
    authority = fields.String(required=True)
    assignee = fields.Nested(PersonSchema, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    sla_due_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "Nearest running target's due."}
    )


class PermissionsSchema(ma.Schema):
    work = fields.Boolean(
        required=True, metadata={"description": "Claim, assign, reply, status, transfer."}
    )
    note = fields.Boolean(required=True, metadata={"description": "Write internal notes."})


class StaffCaseSchema(CaseSummarySchema):
    """A case with everything staff see: messages and notes, events, SLA targets."""

    contact_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    affected_employees = fields.Integer(required=True, allow_none=True)
    description = fields.String(required=True)
    routing_rule = fields.String(required=True)
    routing_reason = fields.String(required=True)
    first_response_at = fields.DateTime(required=True, allow_none=True)
    resolved_at = fields.DateTime(required=True, allow_none=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    followers = fields.List(fields.Nested(PersonSchema), required=True)
    collaborators = fields.List(fields.String(), required=True)
    permissions = fields.Nested(PermissionsSchema, required=True)
    messages = fields.List(fields.Nested(StaffMessageSchema), required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)
    sla_targets = fields.List(fields.Nested(StaffTargetSchema), required=True)
    merged_into = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The reference of the case this duplicate was merged into "
            "(its messages are there now), or null."
        },
    )


class CasePageSchema(ma.Schema):
    items = fields.List(fields.Nested(CaseSummarySchema), required=True)
    next_cursor = fields.String(
        required=True, allow_none=True, metadata={"description": "None on the last page."}
    )


class TeamSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    authority = fields.String(required=True)
    regional = fields.Boolean(required=True)
    members = fields.List(fields.Nested(MemberSchema), required=True)


class TransferResultSchema(ma.Schema):
    reference = fields.String(required=True)
    team = fields.String(required=True)
    authority = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "What the employer reads."})
    can_view = fields.Boolean(
        required=True, metadata={"description": "Whether you may still read the case."}
    )


class RoutingSchema(ma.Schema):
    """Where a request would go, and why (nothing is stored)."""

    team = fields.String(required=True)
    team_name = fields.String(required=True)
    authority = fields.String(required=True)
    authority_name = fields.String(required=True)
    rule = fields.String(required=True)
    rule_version = fields.Integer(required=True)
    reason = fields.String(required=True)
    municipality = fields.String(required=True, allow_none=True)
    need = fields.String(required=True)
    language = fields.String(required=True)


class ProcessingTimeSchema(ma.Schema):
    need = fields.String(required=True, metadata={"description": "The need code."})
    name = fields.String(required=True)
    first_response_minutes = fields.Integer(required=True, metadata={"description": "Business."})
    resolution_minutes = fields.Integer(required=True)
    first_response = fields.String(required=True, metadata={"description": "In words."})
    resolution = fields.String(required=True)


class TokenInfoSchema(ma.Schema):
    """The token in use and the staff member it acts as."""

    name = fields.String(required=True)
    prefix = fields.String(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(list(SCOPES))), required=True)
    user = fields.Nested(MemberSchema, required=True)
    teams = fields.List(fields.String(), required=True)


# --- reports -------------------------------------------------------------------------------


def _date(description: str) -> fields.Date:
    return fields.Date(
        required=True, error_messages=dict(_CODES), metadata={"description": description}
    )


# "from" is a Python keyword, so the query schema is built from a dict.
SlaReportQuerySchema = Strict.from_dict(
    {
        "from": _date(f"First day, YYYY-MM-DD (Europe/Helsinki), {MEASURES['period']}"),
        "to": _date("Last day, inclusive; not before `from`. Years 2000-2100."),
        "authority": text(
            40,
            metadata={
                "description": "An authority slug (lahti, paijat-hame): its teams only.",
                "example": "lahti",
            },
        ),
    },
    name="SlaReportQuerySchema",
)


def _count(description: str) -> fields.Integer:
    return fields.Integer(
        required=True, validate=validate.Range(min=0), metadata={"description": description}
    )


def _nullable_number(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class SlaTargetFiguresSchema(ma.Schema):
    met = _count(MEASURES["met"])
    breached = _count(MEASURES["breached"])
    compliance = _nullable_number(MEASURES["compliance"])


class SlaMinutesSchema(ma.Schema):
    median = _nullable_number("Median business minutes (percentile_cont(0.5)).")
    p90 = _nullable_number("90th percentile of business minutes (percentile_cont(0.9)).")


class SlaFiguresSchema(ma.Schema):
    """The SLA measures of a team, an authority or the total (README "Reports")."""

    received = _count(MEASURES["received"])
    resolved = _count(MEASURES["resolved"])
    first_response = fields.Nested(
        SlaTargetFiguresSchema, required=True, metadata={"description": MEASURES["first_response"]}
    )
    resolution = fields.Nested(
        SlaTargetFiguresSchema, required=True, metadata={"description": MEASURES["resolution"]}
    )
    first_response_minutes = fields.Nested(
        SlaMinutesSchema, required=True, metadata={"description": MEASURES["minutes"]}
    )
    resolution_minutes = fields.Nested(
        SlaMinutesSchema, required=True, metadata={"description": MEASURES["minutes"]}
    )


class SlaPeriodSchema(ma.Schema):
    # Dumped from the report's JSON, whose keys are already "from" and "to".
    date_from = fields.String(required=True, data_key="from", attribute="from")
    date_to = fields.String(required=True, data_key="to", attribute="to")


class SlaReportSchema(ma.Schema):
    """The SLA report: the same object as `desk report sla --json`."""

    period = fields.Nested(SlaPeriodSchema, required=True)
    total = fields.Nested(SlaFiguresSchema, required=True)
    authorities = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(SlaFiguresSchema),
        required=True,
        metadata={"description": "By authority slug: " + MEASURES["authority"]},
    )
    teams = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(SlaFiguresSchema),
        required=True,
        metadata={"description": "By team slug, every team of the report's authorities."},
    )
