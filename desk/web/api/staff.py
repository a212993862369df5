"""Staff API: a team's cases, a case with its history, and the actions of the case page.

Authenticated with an API token (Authorization: Bearer desk_…) that acts as its owner: the
same services and access rules as the staff pages (desk.services.access). A case the owner
may not see is 404, as on the pages; one they may read but not work on is 403.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from desk.models import Case
from desk.services import assignment, audit, cases, sla, team_cases, transfers
from desk.services.access import can_note, can_view, can_work
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.routing_text import routing_text
from desk.web.api import representations as rep
from desk.web.api.auth import api_actor, require_scope
from desk.web.api.core import json_body_doc, load_body, load_query, problems, query_doc, security
from desk.web.api.problems import ApiProblem, invalid
from desk.web.api.public import language
from desk.web.api.schemas import (
    AssignmentSchema,
    CaseListQuerySchema,
    CasePageSchema,
    MessageSchema,
    StaffCaseSchema,
    StaffMessageSchema,
    StatusChangeSchema,
    TeamSchema,
    TokenInfoSchema,
    TransferResultSchema,
    TransferSchema,
)
from desk.web.extensions import db_session
from desk.web.messages import error_message

bp = Blueprint(
    "staff_api",
    __name__,
    url_prefix="/api/v1/staff",
    description=(
        "For advisers, managers and the authorities' own systems, with an API token an "
        "administrator creates on /admin/api-tokens. The token acts as its owner: what it "
        "sees and may do follows the owner's access rules, limited by its scopes."
    ),
)

_CASE_LINKS = {
    name: {"operationId": name, "parameters": {"path.reference": "$response.body#/reference"}}
    for name in ("getStaffCase", "replyToCase", "addNote", "changeStatus", "transferCase")
}

# Stateful links (OpenAPI 3.1 `links`), added to the document by init_api.
LINKS: dict[str, dict[str, Any]] = {
    "listTeams": {
        "200": {
            "listTeamCases": {
                "operationId": "listTeamCases",
                "parameters": {"path.team": "$response.body#/0/slug"},
            }
        }
    },
    "claimCase": {"200": _CASE_LINKS},
}


def _user_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _case(reference: str) -> Case:
    try:
        return cases.get_case_for_staff(db_session(), api_actor(), reference)
    except NotFound as exc:
        raise ApiProblem("not-found") from exc


def _present(case: Case) -> dict[str, Any]:
    """The case as the answer to an action: whole with the read scope, else only its outcome.

    A write-only token (an integration that only acts) must not read contact data, notes or
    events through the answer of an action it may take.
    """
    from flask import g

    if "read" not in g.api_token.scope_set:
        return rep.action_outcome(case)
    actor = api_actor()
    session = db_session()
    reason = routing_text(session, case, language()).reason
    return rep.staff_case(
        case, sla.case_targets(session, case), can_work(actor, case), can_note(actor, case), reason
    )


def _act(action: Any) -> Any:
    """Run a service action, turning its exceptions into problems (nothing half-done stays)."""
    session = db_session()
    try:
        return action()
    except Forbidden as exc:
        session.rollback()
        raise ApiProblem("forbidden", str(exc)) from exc
    except NotFound as exc:
        session.rollback()
        raise ApiProblem("not-found") from exc
    except Conflict as exc:
        session.rollback()
        raise ApiProblem("conflict", error_message("case", exc.code)) from exc


@bp.route("/me", methods=["GET"])
@bp.doc(
    operationId="getTokenInfo",
    summary="The token in use and its owner",
    description="Works with any scope: a quick check that a token is live.",
    **security(),
)
@bp.response(200, TokenInfoSchema)
@problems(bp, 401)
@require_scope(None)
def token_info() -> dict[str, Any]:
    from flask import g

    return rep.token_info(g.api_token)


@bp.route("/teams", methods=["GET"])
@bp.doc(
    operationId="listTeams",
    summary="Teams whose cases you may list",
    description="With their active members (user ids for assignment).",
    **security("read"),
)
@bp.response(200, TeamSchema(many=True))
@problems(bp, 401, 403)
@require_scope("read")
def list_teams() -> list[dict[str, Any]]:
    session = db_session()
    chosen = language()
    return [
        rep.team(team, cases.team_members_of(session, team.id), chosen)
        for team in team_cases.listable_teams(session, api_actor())
    ]


@bp.route("/teams/<team>/cases", methods=["GET"])
@bp.doc(
    operationId="listTeamCases",
    summary="A team's cases",
    description=(
        "Oldest first, a page at a time: pass `next_cursor` as `cursor` for the next page "
        "(keyset pagination on received time and id, so pages never shift while cases "
        "arrive). Filters combine; `status` may repeat."
    ),
    **security("read"),
)
@query_doc(bp, CaseListQuerySchema)
@bp.response(200, CasePageSchema)
@problems(bp, 401, 403, 404, 422)
@require_scope("read")
def list_team_cases(team: str) -> dict[str, Any]:
    args = load_query(CaseListQuerySchema)
    actor = api_actor()
    assignee = args.get("assignee")
    filters = team_cases.CaseFilters(
        statuses=tuple(args.get("status", ())),
        need=args.get("need"),
        municipality=args.get("municipality"),
        assignee_id=actor.user_id if assignee == "me" else _user_id(assignee),
        unassigned=assignee == "none",
    )
    after = None
    if "cursor" in args:
        after = rep.decode_cursor(args["cursor"])
        if after is None:
            raise invalid({"cursor": "invalid"}, location="query")
    try:
        page = team_cases.list_team_cases(
            db_session(), actor, team, filters, after, args.get("limit", 25)
        )
    except NotFound as exc:
        raise ApiProblem("not-found") from exc
    except Forbidden as exc:
        raise ApiProblem("forbidden", str(exc)) from exc
    except team_cases.InvalidFilter as exc:
        raise invalid(exc.errors, location="query") from exc
    return rep.case_page(page)


@bp.route("/cases/<reference>", methods=["GET"])
@bp.doc(
    operationId="getStaffCase",
    summary="Read a case",
    description="With its messages and internal notes, events and service-level targets.",
    **security("read"),
)
@bp.response(200, StaffCaseSchema)
@problems(bp, 401, 403, 404)
@require_scope("read")
def get_case(reference: str) -> dict[str, Any]:
    case = _case(reference)
    audit.log(db_session(), api_actor(), audit.Action.CASE_VIEW, audit.Target.case(case))
    return _present(case)


@bp.route("/cases/<reference>/claim", methods=["POST"])
@bp.doc(
    operationId="claimCase",
    summary="Claim a case",
    description=(
        "Assigns an unassigned case to the token's owner; a new case opens. A case someone "
        "else holds answers 409 (hand it over with assign instead)."
    ),
    **security("write"),
)
@bp.response(200, StaffCaseSchema)
@problems(bp, 401, 403, 404, 409)
@require_scope("write")
def claim(reference: str) -> dict[str, Any]:
    case = _case(reference)
    return _present(_act(lambda: cases.claim(db_session(), api_actor(), case.id)))


@bp.route("/cases/<reference>/assign", methods=["POST"])
@bp.doc(
    operationId="assignCase",
    summary="Assign a case",
    description=(
        "To an active member of the case's team (ids from GET /api/v1/staff/teams). Like "
        "every action, it answers the whole case to a token with the read scope, and only "
        "reference, status, team, assignee and updated_at to a token without it."
    ),
    **security("write"),
)
@json_body_doc(bp, AssignmentSchema)
@bp.response(200, StaffCaseSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def assign(reference: str) -> dict[str, Any]:
    case = _case(reference)
    assignee = load_body(AssignmentSchema)["assignee"]
    try:
        changed = _act(lambda: assignment.assign_case(db_session(), api_actor(), case.id, assignee))
    except assignment.InvalidAssignee as exc:
        db_session().rollback()
        raise invalid(exc.errors) from exc
    return _present(changed)


def _message(reference: str, write: Any) -> dict[str, Any]:
    case = _case(reference)
    body = load_body(MessageSchema)["body"]
    try:
        message = _act(lambda: write(db_session(), api_actor(), case.id, body))
    except ValueError as exc:
        db_session().rollback()
        raise invalid({"body": str(exc)}) from exc
    return rep.staff_message(message)


@bp.route("/cases/<reference>/replies", methods=["POST"])
@bp.doc(
    operationId="replyToCase",
    summary="Reply to the employer",
    description=(
        "A public reply: shown to the employer and emailed to them. The first one meets the "
        "first-response target; a new case opens."
    ),
    **security("write"),
)
@json_body_doc(bp, MessageSchema)
@bp.response(201, StaffMessageSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def reply(reference: str) -> dict[str, Any]:
    return _message(reference, cases.reply)


@bp.route("/cases/<reference>/questions", methods=["POST"])
@bp.doc(
    operationId="askEmployer",
    summary="Ask the employer for information",
    description=(
        "One action: a public message, the case waits for the employer (the resolution clock "
        "pauses) and exactly one email with the question goes to the employer."
    ),
    **security("write"),
)
@json_body_doc(bp, MessageSchema)
@bp.response(201, StaffMessageSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def ask_employer(reference: str) -> dict[str, Any]:
    return _message(reference, cases.ask_employer)


@bp.route("/cases/<reference>/notes", methods=["POST"])
@bp.doc(
    operationId="addNote",
    summary="Write an internal note",
    description="Never shown or sent to the employer. Collaborating teams may write notes too.",
    **security("write"),
)
@json_body_doc(bp, MessageSchema)
@bp.response(201, StaffMessageSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def note(reference: str) -> dict[str, Any]:
    return _message(reference, cases.add_note)


@bp.route("/cases/<reference>/status", methods=["POST"])
@bp.doc(
    operationId="changeStatus",
    summary="Change the status",
    description=(
        "new → open → waiting → resolved → closed, as on the case page; a move the life cycle "
        "does not allow, or to the status the case has, is a conflict (409)."
    ),
    **security("write"),
)
@json_body_doc(bp, StatusChangeSchema)
@bp.response(200, StaffCaseSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def change_status(reference: str) -> dict[str, Any]:
    case = _case(reference)
    status = load_body(StatusChangeSchema)["status"]
    return _present(_act(lambda: cases.change_status(db_session(), api_actor(), case.id, status)))


@bp.route("/cases/<reference>/transfer", methods=["POST"])
@bp.doc(
    operationId="transferCase",
    summary="Transfer to another team",
    description=(
        "The employer is told the reason. The service-level clock continues. The result says "
        "whether you may still read the case (it may have left your teams)."
    ),
    **security("write"),
)
@json_body_doc(bp, TransferSchema)
@bp.response(200, TransferResultSchema)
@problems(bp, 400, 401, 403, 404, 409, 413, 415, 422)
@require_scope("write")
def transfer(reference: str) -> dict[str, Any]:
    case = _case(reference)
    fields = load_body(TransferSchema)
    actor = api_actor()
    try:
        moved = _act(
            lambda: transfers.transfer(
                db_session(), actor, case.id, fields["team"], fields["reason"]
            )
        )
    except transfers.InvalidTransfer as exc:
        db_session().rollback()
        raise invalid(exc.errors) from exc
    return {
        "reference": moved.reference,
        "team": moved.team.slug,
        "authority": moved.authority_slug,
        "reason": moved.routing_reason,
        "can_view": can_view(actor, moved),
    }
