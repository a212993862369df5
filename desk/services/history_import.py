"""Importing past cases (`desk import cases FILE`): checked, routed, replayed, stored in bulk.

Each line is checked and its clocks replayed by desk.domain.history; this module supplies
what the domain needs from the database (reference data, the routing rules in force, the
teams, the calendars, the policy in force at the time) once per import, and writes the
cases in batches with Core inserts (one commit per batch), so a million lines need a few
thousand statements instead of millions of ORM round trips.

History is silent: nothing goes through case_events.emit, so no outbox row (email or
webhook) and no notification is written, and the imported case carries its external_id,
which keeps the SLA sweep away from it for good (desk.services.sla._reschedule).
Idempotent: a line whose external_id is already stored (or appeared earlier in the file)
is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from desk.db import insert_for
from desk.domain.business_calendar import HELSINKI
from desk.domain.case_reference import format_reference
from desk.domain.history import HistoryLine, InvalidLine, Replay, parse_line, replay
from desk.domain.municipalities import resolve_municipality
from desk.domain.routing import RoutingRequest, route
from desk.domain.sla import Policy
from desk.i18n import catalogue
from desk.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseSlaTarget,
    KeyAccount,
    ReferenceCounter,
    SlaPolicy,
    Team,
    User,
)
from desk.services import case_tokens
from desk.services.access import ActorKind, Channel
from desk.services.reference_data import snapshot
from desk.services.routing import rules_in_force
from desk.services.sla_config import configured_sla_config
from desk.services.sla_policies import Calendars, load_calendars, policy_for_new_case

DEFAULT_BATCH_SIZE = 1000
# The body of every imported message: the previous system's texts are not part of the
# export, and a neutral marker says so on the case page instead of inventing words.
IMPORTED_BODY = "(imported from the previous system)"
IMPORTED_RULE = "imported-team"
_IMPORTED_REASON = {
    "fi": "Tuotu aiemmasta järjestelmästä tiimille {team}.",
    "sv": "Importerat från det tidigare systemet till teamet {team}.",
    "en": "Imported from the previous system to the team {team}.",
}


@dataclass
class ImportResult:
    """What an import did: cases stored, lines skipped as already imported, lines rejected."""

    imported: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No line was rejected."""
        return not self.rejected


@dataclass(frozen=True)
class _TeamRow:
    id: int
    slug: str
    authority: str
    names: dict[str, str]


@dataclass(frozen=True)
class _Ready:
    """A line checked, routed and replayed, waiting for its batch."""

    line: HistoryLine
    team: _TeamRow
    authority: str
    municipality_code: str | None
    rule: str
    reason: str
    rule_version: int
    policy_id: int
    replay: Replay


class _Context:
    """What every line needs from the database, read once per import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.reference = snapshot(session)
        self.rule_version, self.rules = rules_in_force(session)
        self.teams = {
            t.slug: _TeamRow(
                t.id, t.slug, t.authority_slug, {"fi": t.name_fi, "sv": t.name_sv, "en": t.name_en}
            )
            for t in session.scalars(select(Team))
        }
        # Key accounts with an active adviser: a routing condition (as in route_request).
        self.key_accounts = set(
            session.scalars(
                select(KeyAccount.business_id)
                .join(User, KeyAccount.adviser_id == User.id)
                .where(User.active.is_(True))
            )
        )
        self.calendars: Calendars = load_calendars(session)
        self.config = configured_sla_config(session)
        self._versions: dict[str, list[SlaPolicy]] = defaultdict(list)
        for row in session.scalars(
            select(SlaPolicy).where(SlaPolicy.priority == "").order_by(SlaPolicy.version)
        ):
            self._versions[row.need_code].append(row)

    def policy_at(self, need: str, at: datetime) -> tuple[int, Policy]:
        """(policy row id, policy) in force for the need at `at`.

        The newest stored version created by then; before any version existed, the configured
        default (stored as version 1 if missing, which is what version 1 always holds).
        """
        versions = self._versions.get(need)
        if not versions:
            policy_for_new_case(self.session, need)
            versions = list(
                self.session.scalars(
                    select(SlaPolicy)
                    .where(SlaPolicy.need_code == need, SlaPolicy.priority == "")
                    .order_by(SlaPolicy.version)
                )
            )
            self._versions[need] = versions
        in_force = [v for v in versions if v.created_at <= at]
        if in_force:
            row = in_force[-1]
            return row.id, Policy(
                row.first_response_minutes, row.resolution_minutes, row.warning_percent
            )
        default = self.config.policy_for(need) or self.config.policy_for("other")
        first = versions[0]
        if default is None:  # a configuration without the need: version 1 is the default
            default = Policy(
                first.first_response_minutes, first.resolution_minutes, first.warning_percent
            )
        return first.id, default

    def prepare(self, line: HistoryLine) -> _Ready:
        """Route the line (or take its team) and replay its clocks; InvalidLine if it cannot."""
        clean = line.submission
        code = resolve_municipality(clean.municipality_text, self.reference.municipalities.values())
        decision = route(
            RoutingRequest(
                need=clean.need,
                municipality_code=code,
                municipality_text=clean.municipality_text,
                affected_employees=clean.affected_employees,
                has_key_account=clean.business_id in self.key_accounts,
                language=clean.language,
            ),
            self.rules,
            self.reference,
            catalogue,
        )
        rule, reason = decision.rule, decision.reason
        if line.team is not None:
            team = self.teams.get(line.team)
            if team is None:
                raise InvalidLine(f"team: unknown team {line.team!r}")
            rule = IMPORTED_RULE
            template = _IMPORTED_REASON.get(clean.language, _IMPORTED_REASON["fi"])
            reason = template.format(team=team.names.get(clean.language, team.names["fi"]))
            authority = team.authority  # an overriding team works for its host authority
        else:
            team = self.teams[decision.team]
            authority = decision.authority
        policy_id, policy = self.policy_at(clean.need, line.received_at)
        history = replay(line, policy, self.calendars.for_authority(authority))
        return _Ready(
            line, team, authority, code, rule, reason, self.rule_version, policy_id, history
        )


# --- writing a batch -------------------------------------------------------------------------


def _take_numbers(session: Session, year: int, count: int) -> range:
    """Reserve `count` reference numbers of the year in one upsert (see next_case_number)."""
    stmt = (
        insert_for(session, ReferenceCounter)
        .values(year=year, last_number=count)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year],
            set_={"last_number": ReferenceCounter.last_number + count},
        )
        .returning(ReferenceCounter.last_number)
    )
    last = int(session.execute(stmt).scalar_one())
    return range(last - count + 1, last + 1)


def _imported(external_id: str, **facts: Any) -> dict[str, Any]:
    return {**facts, "imported": True, "external_id": external_id}


def _case_row(ready: _Ready, year: int, number: int) -> dict[str, Any]:
    clean, history = ready.line.submission, ready.replay
    return {
        "reference": format_reference(year, number),
        "year": year,
        "number": number,
        "business_id": clean.business_id,
        "organisation_name": clean.organisation_name,
        "contact_name": clean.contact_name,
        "email": clean.email,
        "phone": clean.phone,
        "municipality_code": ready.municipality_code,
        "municipality_text": "" if ready.municipality_code else clean.municipality_text,
        "need_code": clean.need,
        "affected_employees": clean.affected_employees,
        "description": clean.description,
        "language": clean.language,
        "status": history.status.value,
        "team_id": ready.team.id,
        "authority_slug": ready.authority,
        "assignee_id": None,
        "routing_rule": ready.rule,
        "routing_reason": ready.reason,
        "employer_token_hash": case_tokens.new_token()[1],  # imported: no private link
        "created_at": ready.line.received_at,
        "updated_at": history.updated_at,
        "first_response_at": history.first_response_at,
        "resolved_at": history.resolved_at,
        "closed_at": history.closed_at,
        # Never checked by the sweep: history warns no one (see desk.services.sla._reschedule).
        "sla_next_check_at": None,
        "sla_due_at": history.sla_due_at,
        # History keeps no warning instants: an imported case goes from on track to breached.
        "sla_warn_at": history.sla_due_at,
        "external_id": ready.line.external_id,
    }


def _children(
    ready: _Ready, case_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(target rows, message rows, event rows) of one stored case."""
    line, history = ready.line, ready.replay
    targets = [
        {
            "case_id": case_id,
            "target": record.target.value,
            "policy_id": ready.policy_id,
            "target_minutes": record.target_minutes,
            "warning_percent": record.warning_percent,
            "started_at": record.started_at,
            "running_since": record.running_since,
            "elapsed_minutes": record.elapsed_minutes,
            "due_at": record.due_at,
            "met_at": record.met_at,
            "paused_at": record.paused_at,
            "warned_at": None,
            "breached_at": None,
            "escalated_at": None,
        }
        for record in history.targets
    ]
    cli = Channel.CLI.value
    events: list[dict[str, Any]] = [
        {
            "case_id": case_id,
            "kind": "created",
            "actor_kind": ActorKind.EMPLOYER.value,
            "actor_id": None,
            "channel": cli,
            "data": _imported(line.external_id, need=line.submission.need),
            "created_at": line.received_at,
        },
        {
            "case_id": case_id,
            "kind": "routed",
            "actor_kind": ActorKind.SYSTEM.value,
            "actor_id": None,
            "channel": cli,
            "data": _imported(
                line.external_id,
                team=ready.team.slug,
                authority=ready.authority,
                rule=ready.rule,
                rule_version=ready.rule_version,
            ),
            "created_at": line.received_at,
        },
    ]
    messages: list[dict[str, Any]] = []
    for step in history.steps:
        events.append(
            {
                "case_id": case_id,
                "kind": step.kind,
                "actor_kind": step.actor,
                "actor_id": None,
                "channel": cli,
                "data": _imported(line.external_id, **step.facts),
                "created_at": step.at,
            }
        )
        if step.message is not None:
            messages.append(
                {
                    "case_id": case_id,
                    "author_kind": step.message,
                    "author_id": None,
                    "visibility": "public",
                    "body": IMPORTED_BODY,
                    "created_at": step.at,
                }
            )
    return targets, messages, events


def _write_batch(session: Session, batch: list[_Ready], result: ImportResult) -> None:
    """Store one batch of new cases with their clocks, messages and events, and commit."""
    ids = [ready.line.external_id for ready in batch]
    known = set(session.scalars(select(Case.external_id).where(Case.external_id.in_(ids))))
    fresh = [ready for ready in batch if ready.line.external_id not in known]
    result.skipped += len(batch) - len(fresh)
    if not fresh:
        session.commit()
        return
    by_year: dict[int, list[_Ready]] = defaultdict(list)
    for ready in fresh:
        by_year[ready.line.received_at.astimezone(HELSINKI).year].append(ready)
    rows: list[dict[str, Any]] = []
    for year, cases in sorted(by_year.items()):
        numbers = _take_numbers(session, year, len(cases))
        rows.extend(
            _case_row(ready, year, number) for ready, number in zip(cases, numbers, strict=True)
        )
    # A concurrent import of the same file may have stored some since the check above: those
    # rows are skipped by the database (their reserved numbers stay unused, as after a
    # rolled-back submit), and only the rows it returns get children.
    stmt = (
        insert_for(session, Case.__table__)
        .on_conflict_do_nothing(index_elements=["external_id"])
        .returning(Case.__table__.c.id, Case.__table__.c.external_id)
    )
    stored = {external_id: case_id for case_id, external_id in session.execute(stmt, rows)}
    result.skipped += len(fresh) - len(stored)
    targets: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for ready in fresh:
        case_id = stored.get(ready.line.external_id)
        if case_id is None:
            continue
        t, m, e = _children(ready, case_id)
        targets += t
        messages += m
        events += e
    for model, values in ((CaseSlaTarget, targets), (CaseMessage, messages), (CaseEvent, events)):
        if values:
            # Core executemany on the table: no ORM objects, one statement per table and batch.
            session.execute(insert(cast(Table, model.__table__)), values)
    session.commit()
    result.imported += len(stored)


def import_cases(
    session: Session,
    lines: Iterable[str],
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_line: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import past cases from JSON lines; one commit per batch of `batch_size` cases.

    Blank lines are ignored; an invalid line is rejected with its (1-based) number and the
    reason, and the others are imported. `on_line` is called with each line's number (for a
    progress bar).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    context = _Context(session)
    needs = context.reference.needs.keys()
    result = ImportResult()
    batch: list[_Ready] = []
    in_batch: set[str] = set()
    for number, text in enumerate(lines, start=1):
        if on_line is not None:
            on_line(number)
        if not text.strip():
            continue
        try:
            ready = context.prepare(parse_line(text, needs))
        except InvalidLine as exc:
            result.rejected.append((number, str(exc)))
            continue
        if ready.line.external_id in in_batch:
            result.skipped += 1  # the file repeats a case: the first line wins
            continue
        in_batch.add(ready.line.external_id)
        batch.append(ready)
        if len(batch) >= batch_size:
            _write_batch(session, batch, result)
            batch, in_batch = [], set()
    if batch:
        _write_batch(session, batch, result)
    session.commit()  # the policy version 1 a need may have needed, even with nothing new
    return result
