"""Importing past cases, on SQLite and PostgreSQL: stored as the live desk would, silently."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.business_calendar import HELSINKI
from desk.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseSlaTarget,
    OutboxMessage,
    ReferenceCounter,
    SlaEvent,
    SlaPolicy,
    Team,
)
from desk.models.notification import Notification
from desk.services import cases, history_import, sla
from desk.services.history_import import IMPORTED_BODY, import_cases
from tests.conftest import raw_submission
from tests.domain.test_history import example
from tests.support.actors import as_staff


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI).astimezone(UTC)


def lines(*rows: dict[str, Any] | str) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in rows]


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def targets(session: Session, case: Case) -> dict[str, CaseSlaTarget]:
    rows = session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    return {row.target: row for row in rows}


def imported(session: Session, external_id: str) -> Case:
    session.expire_all()
    return session.scalars(select(Case).where(Case.external_id == external_id)).one()


def test_the_example_line_is_stored_as_the_live_desk_would(session: Session) -> None:
    result = import_cases(session, lines(example()))
    assert (result.imported, result.skipped, result.rejected) == (1, 0, [])

    case = imported(session, "URA-00017")
    assert case.reference == "TP-2026-000001" and (case.year, case.number) == (2026, 1)
    assert case.status == "closed"
    assert case.municipality_code == "560"  # "Orimattila" as the router reads it
    assert (case.team.slug, case.authority_slug) == ("paijat-hame-employer-services", "paijat-hame")
    assert case.routing_rule == "paijat-hame" and case.assignee_id is None
    assert case.created_at == hki(2026, 2, 3, 9, 12)
    assert case.first_response_at == hki(2026, 2, 3, 13, 40)
    assert case.resolved_at == hki(2026, 2, 12, 11, 0)
    assert case.closed_at == case.updated_at == hki(2026, 2, 20, 11, 0)
    assert (case.sla_next_check_at, case.sla_due_at) == (None, None)

    # The clock values worked out by hand in tests/domain/test_history.py.
    rows = targets(session, case)
    first, resolution = rows["first_response"], rows["resolution"]
    assert (first.target_minutes, resolution.target_minutes) == (480, 4800)
    assert first.policy.version == resolution.policy.version == 1
    assert first.started_at == resolution.started_at == hki(2026, 2, 3, 9, 12)
    assert (first.due_at, first.met_at) == (hki(2026, 2, 4, 9, 12), hki(2026, 2, 3, 13, 40))
    assert first.elapsed_minutes == 268
    assert resolution.due_at == hki(2026, 2, 19, 15, 12)
    assert (resolution.met_at, resolution.elapsed_minutes) == (hki(2026, 2, 12, 11), 2148)
    for row in rows.values():
        assert (row.running_since, row.paused_at, row.warned_at, row.breached_at) == (
            None,
            None,
            None,
            None,
        )

    assert [(m.author_kind, m.visibility, m.body, m.created_at) for m in case.messages] == [
        ("staff", "public", IMPORTED_BODY, hki(2026, 2, 3, 13, 40)),
        ("staff", "public", IMPORTED_BODY, hki(2026, 2, 5, 10, 0)),
        ("employer", "public", IMPORTED_BODY, hki(2026, 2, 9, 18, 30)),
    ]
    events = [(e.kind, e.actor_kind, e.channel) for e in case.events]
    assert events == [
        ("created", "employer", "cli"),
        ("routed", "system", "cli"),
        ("status_changed", "staff", "cli"),
        ("replied", "staff", "cli"),
        ("replied", "staff", "cli"),
        ("status_changed", "staff", "cli"),
        ("status_changed", "employer", "cli"),
        ("employer_replied", "employer", "cli"),
        ("status_changed", "staff", "cli"),
        ("status_changed", "staff", "cli"),
    ]
    for event in case.events:
        assert event.data["imported"] is True and event.data["external_id"] == "URA-00017"
    assert case.events[2].data["to"] == "open" and case.events[3].data["first_response"]
    assert case.events[1].data["rule"] == "paijat-hame"

    # The case page's clocks read the stored columns like any other case.
    views = {v.target.value: v for v in sla.case_targets(session, case)}
    assert views["resolution"].met_in_time is True
    assert views["resolution"].elapsed_minutes == 2148


def test_invalid_lines_are_reported_with_their_numbers_and_the_rest_is_imported(
    session: Session,
) -> None:
    result = import_cases(
        session,
        lines(
            example(external_id="A-1"),
            example(external_id="A-2", business_id="0112038-8"),
            "\n",  # a blank line is neither a case nor an error
            "{not json\n",
            example(external_id="A-3", team="no-such-team"),
            example(external_id="A-4", events=[{"type": "closed", "at": "2026-02-04T10:00Z"}]),
            example(external_id="A-5", received_at="2026-02-03T09:12:00"),
            example(external_id="A-6"),
        ),
    )
    assert result.imported == 2 and not result.ok
    assert [number for number, _ in result.rejected] == [2, 4, 5, 6, 7]
    reasons = dict(result.rejected)
    assert reasons[2].startswith("business_id: ")
    assert reasons[4].startswith("not valid JSON")
    assert reasons[5] == "team: unknown team 'no-such-team'"
    assert reasons[6] == "events[0] (closed): cannot move a case from new to closed"
    assert "no UTC offset" in reasons[7]
    stored = session.scalars(select(Case.external_id).order_by(Case.id)).all()
    assert stored == ["A-1", "A-6"]


def test_importing_twice_keeps_one_case_per_line(session: Session) -> None:
    file = lines(*(example(external_id=f"URA-{n}") for n in range(5)), example(external_id="URA-0"))
    first = import_cases(session, file, batch_size=2)
    assert (first.imported, first.skipped) == (5, 1)  # the repeated line: the first one wins
    again = import_cases(session, file, batch_size=3)
    assert (again.imported, again.skipped, again.rejected) == (0, 6, [])
    assert count(session, Case) == 5
    assert count(session, CaseSlaTarget) == 10
    assert count(session, CaseMessage) == 15
    numbers = session.scalars(select(Case.number).order_by(Case.number)).all()
    assert numbers == [1, 2, 3, 4, 5]
    assert session.get(ReferenceCounter, 2026).last_number == 5


def test_reference_numbers_follow_the_helsinki_year_and_the_live_counter(
    session: Session,
) -> None:
    live = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    assert live.reference == "TP-2026-000001"
    result = import_cases(
        session,
        lines(
            # 23:30 UTC on New Year's Eve is already 2026 in Helsinki.
            example(external_id="NY", received_at="2025-12-31T23:30:00Z", events=[]),
            example(external_id="OLD", received_at="2025-06-02T10:00:00+03:00", events=[]),
        ),
    )
    assert result.imported == 2
    assert imported(session, "NY").reference == "TP-2026-000002"
    assert imported(session, "OLD").reference == "TP-2025-000001"
    after = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 9))
    assert after.reference == "TP-2026-000003"


def test_history_is_silent_now_and_later(session: Session, make_user: Any) -> None:
    # An open case from 2025 whose clocks ran long past every warning and due time.
    open_case = example(
        external_id="OPEN",
        received_at="2025-05-05T09:00:00+03:00",
        events=[{"type": "employer_answer", "at": "2025-05-06T09:00:00+03:00"}],
    )
    result = import_cases(session, lines(example(), open_case))
    assert result.imported == 2
    assert count(session, OutboxMessage) == 0
    assert count(session, Notification) == 0
    case = imported(session, "OPEN")
    assert case.status == "new" and case.sla_next_check_at is None
    assert case.sla_due_at is not None  # the queue still orders it by its (missed) due time

    swept = sla.sweep(session, now=hki(2026, 12, 1, 12))
    assert swept.events == [] and swept.notifications == 0
    # Staff carry on with the imported case here: still no SLA warning about the past.
    adviser = make_user()
    case = imported(session, "OPEN")
    cases.claim(session, as_staff(adviser), case.id)
    session.commit()
    assert imported(session, "OPEN").status == "open"
    assert imported(session, "OPEN").sla_next_check_at is None
    outbox_before = count(session, OutboxMessage)
    assert sla.sweep(session, now=hki(2026, 12, 2, 12)).events == []
    assert count(session, SlaEvent) == 0
    assert count(session, OutboxMessage) == outbox_before  # only what the claim itself sent


def test_a_live_case_is_still_swept_beside_imported_ones(session: Session) -> None:
    import_cases(session, lines(example(external_id="H-1", events=[])))
    live = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    assert live.sla_next_check_at is not None
    swept = sla.sweep(session, now=hki(2026, 3, 2, 14))
    assert {case_id for case_id, _, _ in swept.events} == {live.id}


def test_team_overrides_routing_and_brings_its_authority(session: Session) -> None:
    line = example(external_id="T-1", team="lahti-employer-services", language="en")
    assert import_cases(session, lines(line)).ok
    case = imported(session, "T-1")
    team = session.scalars(select(Team).where(Team.slug == "lahti-employer-services")).one()
    assert (case.team_id, case.authority_slug) == (team.id, team.authority_slug)
    assert case.municipality_code == "560"  # Orimattila would have gone to Päijät-Häme
    assert case.routing_rule == history_import.IMPORTED_RULE
    assert case.routing_reason == f"Imported from the previous system to the team {team.name_en}."
    routed = next(e for e in case.events if e.kind == "routed")
    assert routed.data["team"] == "lahti-employer-services"


def test_the_policy_in_force_at_reception_applies(session: Session) -> None:
    session.add_all(
        [
            SlaPolicy(
                need_code="recruitment",
                version=1,
                first_response_minutes=480,
                resolution_minutes=4800,
                warning_percent=75,
                created_at=hki(2026, 1, 1),
            ),
            SlaPolicy(
                need_code="recruitment",
                version=2,
                first_response_minutes=240,
                resolution_minutes=2400,
                warning_percent=80,
                created_at=hki(2026, 3, 1),
            ),
        ]
    )
    session.commit()
    before = example(external_id="P-0", received_at="2025-11-03T09:00:00+02:00", events=[])
    february = example(external_id="P-1", events=[])
    april = example(external_id="P-2", received_at="2026-04-01T09:00:00+03:00", events=[])
    assert import_cases(session, lines(before, february, april)).ok
    expected = {"P-0": (1, 480, 75), "P-1": (1, 480, 75), "P-2": (2, 240, 80)}
    for external_id, (version, minutes, warning) in expected.items():
        first = targets(session, imported(session, external_id))["first_response"]
        assert (first.policy.version, first.target_minutes, first.warning_percent) == (
            version,
            minutes,
            warning,
        )
    # 240 business minutes from Wed 1 Apr 09:00.
    assert targets(session, imported(session, "P-2"))["first_response"].due_at == hki(
        2026, 4, 1, 13, 0
    )


def test_a_need_without_a_stored_policy_gets_version_one_of_the_configured_default(
    session: Session,
) -> None:
    assert count(session, SlaPolicy) == 0
    assert import_cases(session, lines(example(need="job-ad", events=[]))).ok
    first = targets(session, imported(session, "URA-00017"))["first_response"]
    assert (first.policy.version, first.target_minutes) == (1, 480)
    resolution = targets(session, imported(session, "URA-00017"))["resolution"]
    assert resolution.target_minutes == 960  # config/sla.toml: job-ad, 2 business days


def test_easter_monday_is_not_counted_in_the_replay(session: Session) -> None:
    line = example(
        external_id="EASTER",
        received_at="2026-04-02T15:00:00+03:00",
        events=[{"type": "reply", "at": "2026-04-07T09:00:00+03:00"}],
    )
    assert import_cases(session, lines(line)).ok
    case = imported(session, "EASTER")
    first = targets(session, case)["first_response"]
    # Thu 60 min; Good Friday and Easter Monday closed; Tue 7 Apr 08:00 + 420 min = 15:00.
    assert (first.due_at, first.elapsed_minutes) == (hki(2026, 4, 7, 15), 120)
    assert case.status == "open" and case.sla_due_at == hki(2026, 4, 20, 15)
    resolution = targets(session, case)["resolution"]
    assert resolution.running_since == hki(2026, 4, 2, 15)


@pytest.mark.parametrize("batch_size", [0, -1])
def test_a_batch_needs_at_least_one_case(session: Session, batch_size: int) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        import_cases(session, [], batch_size=batch_size)
    assert count(session, CaseEvent) == 0
