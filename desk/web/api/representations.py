"""Cases and the rest as plain dicts for the JSON responses (names in the request's language)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from desk.domain.sla import describe_minutes
from desk.i18n import plurals
from desk.models import ApiToken, Case, CaseEvent, CaseMessage, Team, User
from desk.services.routing import RoutedRequest
from desk.services.sla import TargetView
from desk.services.sla_policies import PolicyListing
from desk.services.team_cases import CasePage, Position

MINUTE = timedelta(minutes=1)


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def member(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "absent": user.absent,
    }


def _named(slug: str, name: str) -> dict[str, str]:
    return {"slug": slug, "name": name}


def case_url(case: Case) -> str:
    """The employer's private page, opened by the raw token (only known at submission)."""
    return f"{str(current_app.config['BASE_URL']).rstrip('/')}/case/{case.raw_token or ''}"


def _due(targets: list[TargetView], name: str) -> datetime | None:
    return next((t.due_at for t in targets if t.target.value == name), None)


def receipt(case: Case, targets: list[TargetView], language: str) -> dict[str, Any]:
    """What a submission returns."""
    return {
        "reference": case.reference,
        "status": case.status,
        "team": case.team.slug,
        "team_name": case.team.name(language),
        "authority": case.authority_slug,
        "authority_name": case.authority.name(language),
        "rule": case.routing_rule,
        "reason": case.routing_reason,
        "need": case.need_code,
        "municipality": case.municipality_code,
        "language": case.language,
        "created_at": case.created_at,
        "expected_first_response_at": _due(targets, "first_response"),
        "expected_resolution_at": _due(targets, "resolution"),
        # The raw token exists only on the case just made (stored hashed, never again).
        "case_token": case.raw_token or "",
        "case_url": case_url(case),
    }


def _target(view: TargetView) -> dict[str, Any]:
    return {
        "target": view.target.value,
        "state": view.state.value,
        "due_at": view.due_at,
        "met_at": view.met_at,
    }


def employer_case(
    case: Case, messages: list[CaseMessage], targets: list[TargetView], language: str
) -> dict[str, Any]:
    """The case as the employer sees it (public messages only)."""
    return {
        "reference": case.reference,
        "status": case.status,
        "team": _named(case.team.slug, case.team.name(language)),
        "authority": _named(case.authority_slug, case.authority.name(language)),
        "reason": case.routing_reason,
        "need": _named(case.need_code, case.need.name(language)),
        "organisation_name": case.organisation_name,
        "business_id": case.business_id,
        "description": case.description,
        "created_at": case.created_at,
        "expected_dates": [_target(t) for t in targets],
        "messages": [employer_message(m) for m in messages],
    }


def employer_message(message: CaseMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author_kind,
        "body": message.body,
        "created_at": message.created_at,
    }


def summary(case: Case) -> dict[str, Any]:
    """A case in a list."""
    return {
        "reference": case.reference,
        "status": case.status,
        "need": case.need_code,
        "municipality": case.municipality_code,
        "municipality_text": case.municipality_text,
        "organisation_name": case.organisation_name,
        "business_id": case.business_id,
        "language": case.language,
        "team": case.team.slug,
        "authority": case.authority_slug,
        "assignee": _person(case.assignee),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "sla_due_at": case.sla_due_at,
    }


def action_outcome(case: Case) -> dict[str, Any]:
    """What an action changed, for a token that may act but not read (no personal data)."""
    return {
        "reference": case.reference,
        "status": case.status,
        "team": case.team.slug,
        "assignee": _person(case.assignee),
        "updated_at": case.updated_at,
    }


def staff_message(message: CaseMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "author_kind": message.author_kind,
        "author": _person(message.author),
        "visibility": message.visibility,
        "body": message.body,
        "created_at": message.created_at,
    }


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "actor_kind": event.actor_kind,
        "actor": _person(event.actor),
        "data": event.data,
        "created_at": event.created_at,
    }


def _staff_target(view: TargetView) -> dict[str, Any]:
    return {
        **_target(view),
        "remaining_minutes": round(view.remaining / MINUTE),
        "target_minutes": view.target_minutes,
        "elapsed_minutes": round(view.elapsed_minutes, 2),
        "policy_version": view.policy_version,
        "met_in_time": view.met_in_time,
    }


def staff_case(
    case: Case,
    targets: list[TargetView],
    can_work: bool,
    can_note: bool,
    routing_reason: str | None = None,
) -> dict[str, Any]:
    """A case with everything staff see (routing_reason: in the request's language)."""
    return {
        **summary(case),
        "contact_name": case.contact_name,
        "email": case.email,
        "phone": case.phone,
        "affected_employees": case.affected_employees,
        "description": case.description,
        "routing_rule": case.routing_rule,
        "routing_reason": case.routing_reason if routing_reason is None else routing_reason,
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "followers": [_person(f.user) for f in case.followers],
        "collaborators": [c.team.slug for c in case.collaborators],
        "permissions": {"work": can_work, "note": can_note},
        "messages": [staff_message(m) for m in case.messages],
        "events": [_event(e) for e in case.events],
        "sla_targets": [_staff_target(t) for t in targets],
        "merged_into": case.merged_into.reference if case.merged_into is not None else None,
    }


def encode_cursor(position: Position) -> str:
    """An opaque cursor for the page after position."""
    raw = json.dumps([position.created_at.isoformat(), position.case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position | None:
    """The position a cursor names, or None when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, case_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        when = datetime.fromisoformat(created)
        if when.tzinfo is None or not isinstance(case_id, int) or isinstance(case_id, bool):
            return None
        return Position(when, case_id)
    except (ValueError, TypeError, UnicodeError):
        return None


def case_page(page: CasePage) -> dict[str, Any]:
    return {
        "items": [summary(case) for case in page.cases],
        "next_cursor": encode_cursor(page.next_position) if page.next_position else None,
    }


def team(value: Team, members: list[User], language: str) -> dict[str, Any]:
    return {
        "slug": value.slug,
        "name": value.name(language),
        "authority": value.authority_slug,
        "regional": value.regional,
        "members": [member(user) for user in members],
    }


def routing(
    routed: RoutedRequest, need: str, language: str, names: dict[str, str]
) -> dict[str, Any]:
    decision = routed.decision
    return {
        "team": decision.team,
        "team_name": names["team"],
        "authority": decision.authority,
        "authority_name": names["authority"],
        "rule": decision.rule,
        "rule_version": routed.rule_version,
        "reason": decision.reason,
        "municipality": routed.municipality_code,
        "need": need,
        "language": language,
    }


def processing_time(listing: PolicyListing, language: str) -> dict[str, Any]:
    policy = listing.policy
    return {
        "need": listing.need.code,
        "name": listing.need.name(language),
        "first_response_minutes": policy.first_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "first_response": describe_minutes(policy.first_response_minutes, plurals(language)),
        "resolution": describe_minutes(policy.resolution_minutes, plurals(language)),
    }


def token_info(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "prefix": token.token_prefix,
        "scopes": sorted(token.scope_set),
        "user": member(token.user),
        "teams": [t.slug for t in token.user.teams],
    }
