"""The queues' pure rules: queue names, each case's SLA state, the opaque keyset cursor."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.queues import (
    CaseSlaState,
    Cursor,
    InvalidCursor,
    QueueKind,
    QueueName,
    Sort,
    decode_cursor,
    default_sort,
    encode_cursor,
    parse_queue_name,
    sla_state,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", QueueName(QueueKind.NEXT)),
        ("next", QueueName(QueueKind.NEXT)),
        ("mine", QueueName(QueueKind.MINE)),
        ("done/", QueueName(QueueKind.DONE)),
        ("team/regional-intake", QueueName(QueueKind.TEAM, "regional-intake")),
        ("team", None),
        ("team/", None),
        ("team/a/b", None),
        ("everything", None),
    ],
)
def test_queue_names(raw: str, expected: QueueName | None) -> None:
    assert parse_queue_name(raw) == expected
    if expected is not None:
        assert parse_queue_name(str(expected)) == expected


def test_default_sorts() -> None:
    assert default_sort(QueueKind.NEXT) is Sort.DUE
    assert default_sort(QueueKind.DONE) is Sort.ACTIVITY


@pytest.mark.parametrize(
    ("status", "due", "warn", "state"),
    [
        ("waiting", NOW - HOUR, NOW - 2 * HOUR, CaseSlaState.PAUSED),
        ("open", NOW - HOUR, NOW - 2 * HOUR, CaseSlaState.BREACHED),
        ("new", NOW + HOUR, NOW - HOUR, CaseSlaState.AT_RISK),
        ("new", NOW + HOUR, NOW, CaseSlaState.AT_RISK),
        ("open", NOW, NOW - HOUR, CaseSlaState.AT_RISK),  # due now: not yet breached
        ("open", NOW + 2 * HOUR, NOW + HOUR, CaseSlaState.ON_TRACK),
        ("open", None, None, CaseSlaState.ON_TRACK),
        ("resolved", NOW - HOUR, None, None),
        ("closed", None, None, None),
    ],
)
def test_sla_state(status: str, due, warn, state) -> None:
    assert sla_state(status, due, warn, NOW) is state


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(st.sampled_from(list(Sort)), moments, st.integers(min_value=1, max_value=2**62))
def test_a_cursor_round_trips(sort: Sort, key: datetime, case_id: int) -> None:
    cursor = Cursor(sort, key, case_id)
    token = encode_cursor(cursor)
    assert token.isascii() and "=" not in token
    assert decode_cursor(token, sort) == cursor


def test_only_the_due_cursor_may_lack_a_key() -> None:
    token = encode_cursor(Cursor(Sort.DUE, None, 5))
    assert decode_cursor(token, Sort.DUE) == Cursor(Sort.DUE, None, 5)
    with pytest.raises(InvalidCursor):
        decode_cursor(token, Sort.RECEIVED)


@given(st.text(max_size=40))
def test_any_other_token_is_an_invalid_cursor_never_a_crash(token: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_cursor(token, Sort.DUE)
