"""History lines: parsing, the checks, and the replay of their clocks (pure, no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from desk.domain.business_calendar import HELSINKI, default_calendar
from desk.domain.case_status import CaseStatus
from desk.domain.history import EventType, InvalidLine, parse_line, replay
from desk.domain.sla import Policy, Target

CAL = default_calendar()
RECRUITMENT = Policy(480, 4800)  # config/sla.toml: 1 business day, 10 business days
NEEDS = {"recruitment", "job-ad", "change-security", "international", "other"}


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI).astimezone(UTC)


def example(**changes: Any) -> dict[str, Any]:
    """The line of the issue (URA-00017)."""
    line: dict[str, Any] = {
        "external_id": "URA-00017",
        "business_id": "0112038-9",
        "organisation_name": "Konepaja Oy",
        "contact_name": "Tiina Työnantaja",
        "email": "tiina@konepaja.example",
        "municipality": "Orimattila",
        "need": "recruitment",
        "language": "fi",
        "affected_employees": None,
        "description": "Tarvitsemme kaksi hitsaajaa.",
        "received_at": "2026-02-03T09:12:00+02:00",
        "events": [
            {"type": "reply", "at": "2026-02-03T13:40:00+02:00"},
            {"type": "waiting", "at": "2026-02-05T10:00:00+02:00"},
            {"type": "employer_answer", "at": "2026-02-09T18:30:00+02:00"},
            {"type": "resolved", "at": "2026-02-12T11:00:00+02:00"},
            {"type": "closed", "at": "2026-02-20T11:00:00+02:00"},
        ],
    }
    line.update(changes)
    return line


def parse(line: dict[str, Any]) -> Any:
    return parse_line(json.dumps(line, ensure_ascii=False), NEEDS)


def test_the_example_line_replays_as_computed_by_hand() -> None:
    # Business hours Mon-Fri 08:00-16:00 Helsinki (UTC+2 in February), no holidays.
    # Received Tue 3 Feb 09:12 (open): both clocks start at 09:12.
    # First response (480 min): due Tue 09:12 + 408 min (to 16:00) + 72 min = Wed 4 Feb 09:12.
    #   The reply Tue 13:40 meets it after 4 h 28 min = 268 min.
    # Resolution (4800 min): due at first 10 business days later, Tue 17 Feb 09:12.
    #   Waiting Thu 5 Feb 10:00 pauses it: Tue 408 + Wed 480 + Thu 120 = 1008 min.
    #   The employer's answer Mon 9 Feb 18:30 (closed) resumes it; 3792 min remain from
    #   Tue 10 Feb 08:00: 7 days (3360, to Wed 18 Feb 16:00) + 432 min -> due Thu 19 Feb 15:12.
    #   Resolved Thu 12 Feb 11:00: 1008 + Tue 480 + Wed 480 + Thu 180 = 2148 min, met.
    # Closed Fri 20 Feb 11:00 keeps it met.
    line = parse(example())
    assert line.external_id == "URA-00017"
    assert line.received_at == hki(2026, 2, 3, 9, 12)
    assert [e.type for e in line.events] == list(EventType)
    history = replay(line, RECRUITMENT, CAL)

    assert history.status is CaseStatus.CLOSED
    assert history.first_response_at == hki(2026, 2, 3, 13, 40)
    assert history.resolved_at == hki(2026, 2, 12, 11, 0)
    assert history.closed_at == history.updated_at == hki(2026, 2, 20, 11, 0)
    first = history.target(Target.FIRST_RESPONSE)
    assert (first.started_at, first.due_at) == (hki(2026, 2, 3, 9, 12), hki(2026, 2, 4, 9, 12))
    assert (first.met_at, first.elapsed_minutes) == (hki(2026, 2, 3, 13, 40), 268)
    resolution = history.target(Target.RESOLUTION)
    assert resolution.due_at == hki(2026, 2, 19, 15, 12)
    assert (resolution.met_at, resolution.elapsed_minutes) == (hki(2026, 2, 12, 11, 0), 2148)
    for record in history.targets:
        assert (record.running_since, record.paused_at) == (None, None)
    assert history.sla_due_at is None

    assert [(s.kind, s.actor, s.facts, s.message) for s in history.steps] == [
        ("status_changed", "staff", {"from": "new", "to": "open"}, None),
        ("replied", "staff", {"first_response": True}, "staff"),
        ("replied", "staff", {}, "staff"),
        ("status_changed", "staff", {"from": "open", "to": "waiting"}, None),
        ("status_changed", "employer", {"from": "waiting", "to": "open"}, None),
        ("employer_replied", "employer", {}, "employer"),
        ("status_changed", "staff", {"from": "open", "to": "resolved"}, None),
        ("status_changed", "staff", {"from": "resolved", "to": "closed"}, None),
    ]


def test_easter_holidays_do_not_count() -> None:
    # Received Thu 2 Apr 2026 15:00 (UTC+3). Good Friday 3 Apr and Easter Monday 6 Apr are
    # holidays. First response: 60 min on Thursday, then Tue 7 Apr 08:00 + 420 = 15:00.
    # The reply Tue 7 Apr 09:00 meets it after 60 + 60 = 120 min. Resolution: 60 + 9 days
    # (Tue 7 ... Fri 17 Apr) + 420 min -> Mon 20 Apr 15:00, still running.
    line = parse(
        example(
            received_at="2026-04-02T15:00:00+03:00",
            events=[{"type": "reply", "at": "2026-04-07T09:00:00+03:00"}],
        )
    )
    history = replay(line, RECRUITMENT, CAL)
    first = history.target(Target.FIRST_RESPONSE)
    assert first.due_at == hki(2026, 4, 7, 15, 0)
    assert (first.met_at, first.elapsed_minutes) == (hki(2026, 4, 7, 9, 0), 120)
    resolution = history.target(Target.RESOLUTION)
    assert resolution.due_at == hki(2026, 4, 20, 15, 0)
    assert resolution.running_since == hki(2026, 4, 2, 15, 0)
    assert history.status is CaseStatus.OPEN
    assert history.sla_due_at == hki(2026, 4, 20, 15, 0)


def test_received_while_closed_starts_the_clocks_at_the_next_opening() -> None:
    line = parse(example(received_at="2026-02-07T12:00:00+02:00", events=[]))  # a Saturday
    history = replay(line, RECRUITMENT, CAL)
    for record in history.targets:
        assert record.started_at == record.running_since == hki(2026, 2, 9, 8, 0)
    # A deadline at closing time stays on that day.
    assert history.target(Target.FIRST_RESPONSE).due_at == hki(2026, 2, 9, 16, 0)
    assert history.status is CaseStatus.NEW and history.steps == []


def test_a_case_resolved_without_a_reply_leaves_first_response_paused_and_unmet() -> None:
    line = parse(example(events=[{"type": "resolved", "at": "2026-02-03T10:12:00+02:00"}]))
    history = replay(line, RECRUITMENT, CAL)
    first = history.target(Target.FIRST_RESPONSE)
    assert (first.met_at, first.running_since, first.elapsed_minutes) == (None, None, 60)
    assert first.paused_at == hki(2026, 2, 3, 10, 12)
    assert history.first_response_at is None


def test_the_employer_answering_a_resolved_case_reopens_the_resolution_clock() -> None:
    line = parse(
        example(
            events=[
                {"type": "reply", "at": "2026-02-03T10:12:00+02:00"},
                {"type": "resolved", "at": "2026-02-03T11:12:00+02:00"},
                {"type": "employer_answer", "at": "2026-02-04T08:00:00+02:00"},
            ]
        )
    )
    history = replay(line, RECRUITMENT, CAL)
    assert history.status is CaseStatus.OPEN
    resolution = history.target(Target.RESOLUTION)
    assert (resolution.met_at, resolution.elapsed_minutes) == (None, 120)
    assert resolution.running_since == hki(2026, 2, 4, 8, 0)
    assert history.resolved_at == hki(2026, 2, 3, 11, 12)


def test_waiting_on_a_new_case_is_a_first_response_and_pauses_resolution() -> None:
    line = parse(example(events=[{"type": "waiting", "at": "2026-02-03T10:12:00+02:00"}]))
    history = replay(line, RECRUITMENT, CAL)
    assert history.status is CaseStatus.WAITING
    assert history.first_response_at == hki(2026, 2, 3, 10, 12)
    resolution = history.target(Target.RESOLUTION)
    assert (resolution.running_since, resolution.paused_at) == (None, hki(2026, 2, 3, 10, 12))
    assert resolution.elapsed_minutes == 60
    assert resolution.due_at == hki(2026, 2, 17, 9, 12)  # kept while paused
    assert [s.kind for s in history.steps] == ["status_changed", "replied", "status_changed"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"business_id": "0112038-8"}, "business_id: "),
        ({"email": "not an address"}, "email: invalid"),
        ({"need": "astrology"}, "need: unknown"),
        ({"external_id": ""}, "external_id: required"),
        ({"affected_employees": "many"}, "affected_employees: invalid"),
        ({"received_at": "2026-02-03T09:12:00"}, "received_at: '2026-02-03T09:12:00' has no UTC"),
        ({"received_at": "yesterday"}, "received_at: 'yesterday' is not an ISO 8601"),
        ({"events": [{"type": "telepathy", "at": "2026-02-03T10:00:00+02:00"}]}, "unknown event"),
        (
            {"events": [{"type": "reply", "at": "2026-02-03T10:00:00"}]},
            "events[0].at: '2026-02-03T10:00:00' has no UTC offset",
        ),
        (
            {"events": [{"type": "reply", "at": "2026-02-02T10:00:00+02:00"}]},
            "events[0].at: before received_at",
        ),
        (
            {
                "events": [
                    {"type": "reply", "at": "2026-02-04T10:00:00+02:00"},
                    {"type": "resolved", "at": "2026-02-04T09:00:00+02:00"},
                ]
            },
            "events[1].at: before the previous event",
        ),
    ],
)
def test_invalid_lines_say_why(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidLine) as caught:
        parse(example(**changes))
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        (["closed"], "events[0] (closed): cannot move a case from new to closed"),
        (["reply", "resolved", "resolved"], "events[2] (resolved): the case is already resolved"),
        (["waiting", "waiting"], "events[1] (waiting): the case is already waiting"),
        (["resolved", "waiting"], "events[1] (waiting): cannot move a case from resolved"),
        (["resolved", "closed", "reply"], "events[2] (reply): a closed case cannot be replied"),
        (["resolved", "closed", "employer_answer"], "events[2] (employer_answer): the employer"),
    ],
)
def test_impossible_transitions_are_rejected(events: list[str], reason: str) -> None:
    at = "2026-02-04T10:00:00+02:00"
    line = parse(example(events=[{"type": kind, "at": at} for kind in events]))
    with pytest.raises(InvalidLine) as caught:
        replay(line, RECRUITMENT, CAL)
    assert str(caught.value).startswith(reason)


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(InvalidLine, match="not valid JSON"):
        parse_line("{oops", NEEDS)
    with pytest.raises(InvalidLine, match="not a JSON object"):
        parse_line("[1, 2]", NEEDS)


def test_team_and_a_numeric_affected_count_are_read() -> None:
    line = parse(example(team=" regional-intake ", affected_employees=12))
    assert line.team == "regional-intake"
    assert line.submission.affected_employees == 12
