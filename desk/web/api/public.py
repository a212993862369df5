"""Public API: submit a case, follow it with its case token, routing and processing times.

No account is needed. The employer's case token (returned on submission, and in the link of
the confirmation email) is sent as the X-Case-Token header, so it never appears in URLs,
proxy logs or Referer headers.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint

from desk.domain.intake import OTHER_MUNICIPALITY, InvalidSubmission, RawSubmission
from desk.domain.languages import DEFAULT_LANGUAGE
from desk.services import (
    api_intake,
    cases,
    routing_explanation,
    signed_links,
    sla,
    sla_policies,
)
from desk.services.access import Actor, Channel
from desk.services.errors import Conflict
from desk.web.api import representations as rep
from desk.web.api.auth import CASE_TOKEN_HEADER, employer_case
from desk.web.api.core import (
    header_doc,
    json_body_doc,
    load_body,
    load_query,
    problems,
    query_doc,
    read_json_object,
    split_load,
)
from desk.web.api.problems import ApiProblem, FieldError, invalid
from desk.web.api.schemas import (
    CaseReceiptSchema,
    CaseSubmissionSchema,
    EmployerCaseSchema,
    EmployerMessageSchema,
    MessageSchema,
    ProcessingTimeSchema,
    RoutingQuerySchema,
    RoutingSchema,
)
from desk.web.extensions import db_session
from desk.web.messages import error_message

bp = Blueprint(
    "public_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "For employers and the systems acting for them (municipal websites, partners): submit a "
        "case, follow and answer it with its case token, ask where a request would go, read the "
        "published processing times. No account is needed."
    ),
)

IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY = re.compile(r"[!-~]{1,255}")
_KEY_DOC = {
    "name": IDEMPOTENCY_KEY,
    "required": False,
    "description": (
        "Makes retries safe: the same key with the same body returns the same case (200 on a "
        "replay, 201 the first time), never a second case; the same key with another body is "
        "refused (422, idempotency-key-reused). Use a new random key, such as a UUID, per case."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
_CASE_TOKEN_DOC = {
    "name": CASE_TOKEN_HEADER,
    "required": True,
    "description": "The case_token returned when the case was submitted.",
    "schema": {"type": "string"},
}
_LOCATION = {
    "Location": {
        "description": "The case for its employer (GET with X-Case-Token).",
        "schema": {"type": "string"},
        "required": True,
    }
}


def language() -> str:
    """The response language: Accept-Language (fi, sv, en), Finnish by default."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def _raw(fields: dict[str, Any]) -> RawSubmission:
    """The API's typed fields as the form's text fields, for the shared validation."""
    municipality = fields.get("municipality") or ""
    affected = fields.get("affected_employees")
    return RawSubmission(
        business_id=fields.get("business_id") or "",
        organisation_name=fields.get("organisation_name") or "",
        contact_name=fields.get("contact_name") or "",
        email=fields.get("email") or "",
        phone=fields.get("phone") or "",
        municipality=municipality,
        # The form's "other" choice needs a name; through the API "other" is that name.
        municipality_other=municipality if municipality.strip() == OTHER_MUNICIPALITY else "",
        need=fields.get("need") or "",
        affected_employees="" if affected is None else str(affected),
        description=fields.get("description") or "",
        language=fields.get("language") or "",
    )


_BY_REFERENCE = {"path.reference": "$response.body#/reference"}
_WITH_CASE_TOKEN = {**_BY_REFERENCE, "header.X-Case-Token": "$response.body#/case_token"}
# What a receipt leads to: the employer's operations (with the case token), then staff's.
_RECEIPT_LINKS: dict[str, Any] = {
    operation: {"operationId": operation, "parameters": parameters}
    for operations, parameters in (
        (("getCase", "postCaseMessage"), _WITH_CASE_TOKEN),
        (
            ("getStaffCase", "claimCase", "replyToCase", "addNote", "changeStatus", "transferCase"),
            _BY_REFERENCE,
        ),
    )
    for operation in operations
}


# Stateful links (OpenAPI 3.1 `links`), added to the document by init_api.
LINKS: dict[str, dict[str, Any]] = {"submitCase": {"201": _RECEIPT_LINKS}}


@bp.route("/cases", methods=["POST"])
@bp.doc(
    operationId="submitCase",
    summary="Submit a case",
    description=(
        "The request form's fields, validation and routing. Returns where the case went and "
        "why, the expected dates, and the case token the employer follows it with. Invalid "
        "fields give 422 naming each of them, with the form's error codes."
    ),
    security=[],
)
@header_doc(bp, _KEY_DOC)
@json_body_doc(bp, CaseSubmissionSchema)
@bp.response(201, CaseReceiptSchema, description="The case was created.", headers=_LOCATION)
@bp.alt_response(
    200,
    schema=CaseReceiptSchema,
    description="A retry with the same Idempotency-Key: the case created the first time.",
    headers=_LOCATION,
    success=True,
)
@problems(bp, 400, 413, 415, 422)
def submit_case() -> tuple[dict[str, Any], int, dict[str, str]]:
    key = request.headers.get(IDEMPOTENCY_KEY)
    data = read_json_object()
    loaded, errors = split_load(CaseSubmissionSchema(), data)
    key_error = key is not None and not _KEY.fullmatch(key)
    session = db_session()
    raw = _raw(loaded)
    if errors or key_error:
        domain = api_intake.submission_errors(session, raw)
        errors = {**{k: v for k, v in domain.items() if k not in errors}, **errors}
        problem = invalid(errors)
        if key_error:
            problem.errors.append(FieldError(IDEMPOTENCY_KEY, "invalid", "header"))
        raise problem
    try:
        submitted = api_intake.submit(
            session,
            raw,
            key,
            actor=Actor.employer(Channel.API, request.remote_addr),
            # No account here: the client is its address (behind the proxy, ProxyFix's).
            client=f"address:{request.remote_addr}",
        )
    except InvalidSubmission as exc:
        raise invalid(exc.errors) from exc
    except api_intake.IdempotencyKeyReused as exc:
        raise ApiProblem(
            "idempotency-key-reused",
            _("This Idempotency-Key created case %(reference)s from a different request.")
            % {"reference": exc.case.reference},
        ) from exc
    case = submitted.case
    if case.raw_token is None:
        # A replay: the raw token was handed out once and is not stored; a signed token
        # opens the same case (X-Case-Token and /case/<token> accept both).
        case.raw_token = signed_links.employer_case_token(
            str(current_app.config["SECRET_KEY"]), case.id, case.email
        )
    body = rep.receipt(case, sla.case_targets(session, case), language())
    headers = {"Location": f"/api/v1/cases/{case.reference}"}
    return body, 200 if submitted.replayed else 201, headers


@bp.route("/cases/<reference>", methods=["GET"])
@bp.doc(
    operationId="getCase",
    summary="Read a case as its employer",
    description="Public messages and expected dates; internal notes are never shown.",
    security=[],
)
@header_doc(bp, _CASE_TOKEN_DOC)
@bp.response(200, EmployerCaseSchema)
@problems(bp, 401, 404)
def get_case(reference: str) -> dict[str, Any]:
    case = employer_case(reference)
    session = db_session()
    targets = sla.case_targets(session, case)
    return rep.employer_case(case, cases.public_messages(case), targets, language())


@bp.route("/cases/<reference>/messages", methods=["POST"])
@bp.doc(
    operationId="postCaseMessage",
    summary="Answer as the employer",
    description=(
        "A case waiting for the employer opens again and the adviser (or the team) is told. "
        "A closed case refuses messages (409)."
    ),
    security=[],
)
@header_doc(bp, _CASE_TOKEN_DOC)
@json_body_doc(bp, MessageSchema)
@bp.response(201, EmployerMessageSchema)
@problems(bp, 400, 401, 404, 409, 413, 415, 422)
def post_case_message(reference: str) -> dict[str, Any]:
    case = employer_case(reference)
    body = load_body(MessageSchema)["body"]
    try:
        message = cases.employer_reply(
            db_session(),
            case,
            body,
            Actor.employer(Channel.API, request.remote_addr),
        )
    except ValueError as exc:
        raise invalid({"body": str(exc)}) from exc
    except Conflict as exc:
        raise ApiProblem("conflict", error_message("case", exc.code)) from exc
    return rep.employer_message(message)


@bp.route("/routing", methods=["GET"])
@bp.doc(
    operationId="explainRouting",
    summary="Where would a request go?",
    description=(
        "Routes a request by the published rules without creating a case: the team, its "
        "authority, the rule that fired and the sentence the employer would read."
    ),
    security=[],
)
@query_doc(bp, RoutingQuerySchema)
@bp.response(200, RoutingSchema)
@problems(bp, 422)
def explain_routing() -> dict[str, Any]:
    args = load_query(RoutingQuerySchema)
    chosen = args.get("language") or language()
    # The reason is in `language` (the employer's); the names in the reader's: Accept-Language
    # when the client sends one, else the same language.
    reader = language() if request.headers.get("Accept-Language") else chosen
    try:
        explained = routing_explanation.explain(
            db_session(),
            args["municipality"],
            args["need"],
            args.get("affected_employees"),
            chosen,
            names_language=reader,
        )
    except routing_explanation.InvalidRoutingQuestion as exc:
        raise invalid(exc.errors, location="query") from exc
    names = {"team": explained.team_name, "authority": explained.authority_name}
    return rep.routing(explained.routed, args["need"], chosen, names)


@bp.route("/processing-times", methods=["GET"])
@bp.doc(
    operationId="listProcessingTimes",
    summary="Processing times per need",
    description=(
        "The published targets (Administrative Procedure Act §23 a) in business time: first "
        "response and resolution per need, for requests received now. Also the list of need "
        "codes."
    ),
    security=[],
)
@bp.response(200, ProcessingTimeSchema(many=True))
@problems(bp)
def list_processing_times() -> list[dict[str, Any]]:
    chosen = language()
    return [
        rep.processing_time(listing, chosen) for listing in sla_policies.list_policies(db_session())
    ]
