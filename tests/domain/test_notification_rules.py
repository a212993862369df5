"""The notification catalogue, the digest's business days and webhook signatures: pure rules."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.business_calendar import BusinessCalendar, default_calendar
from desk.domain.digest_schedule import helsinki_date, is_business_day
from desk.domain.notification_catalogue import (
    CASE_EVENTS,
    KINDS,
    WEBHOOK_EVENTS,
    Audience,
    Delivery,
    Kind,
    channel_of,
    employer_may_receive,
    event_type,
    kind_of,
    staff_event_types,
    wants_email_now,
)
from desk.domain.webhook_signature import sign, signed_message, verify


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 3, 2), True),  # Monday
        (date(2026, 3, 6), True),  # Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 1, 6), False),  # Epiphany
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 1), False),  # May Day
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 6, 19), False),  # Midsummer Eve (Friday)
        (date(2026, 12, 6), False),  # Independence Day (a Sunday anyway)
        (date(2025, 12, 24), False),  # Christmas Eve (Wednesday)
        (date(2025, 12, 23), True),
        (date(2025, 12, 26), False),  # St Stephen's Day
    ],
)
def test_business_days(day: date, business: bool) -> None:
    assert is_business_day(default_calendar(), day) is business


def test_the_digest_keeps_the_closure_days_of_the_business_calendar() -> None:
    closed = BusinessCalendar(closures=[date(2026, 3, 3)])
    assert is_business_day(closed, date(2026, 3, 3)) is False  # a Tuesday closure day
    assert is_business_day(closed, date(2026, 3, 2)) is True


def test_the_digest_day_is_the_helsinki_day() -> None:
    # 22:30 UTC on Sunday is already Monday in Helsinki.
    assert helsinki_date(datetime(2026, 3, 1, 22, 30, tzinfo=UTC)) == date(2026, 3, 2)
    assert helsinki_date(datetime(2026, 3, 1, 21, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_every_kind_is_well_formed() -> None:
    for kind, entry in KINDS.items():
        assert kind.startswith(("email.", "notify.", "webhook.")), kind
        if entry.audience is not Audience.SYSTEM:
            assert entry.template, kind
        if entry.legally_necessary:
            assert entry.audience in (Audience.EMPLOYER, Audience.PERSON), kind
        if entry.audience is Audience.PERSON:  # asked for at that moment: always sent
            assert entry.legally_necessary and not entry.configurable, kind
    for event, reaction in CASE_EVENTS.items():
        assert event.startswith("case.")
        for kind in (reaction.employer_kind, reaction.staff_kind):
            assert kind is None or kind in KINDS, (event, kind)
        if reaction.employer_kind:
            assert KINDS[reaction.employer_kind].audience is Audience.EMPLOYER
        if reaction.staff_kind:
            assert KINDS[reaction.staff_kind].audience is Audience.STAFF
    assert tuple(CASE_EVENTS) == WEBHOOK_EVENTS


def test_what_an_employer_cannot_opt_out_of() -> None:
    necessary = {entry.key for entry in KINDS.values() if entry.legally_necessary}
    assert necessary == {
        "case_received",
        "staff_reply",
        "case_transferred",
        "case_resolved",
        "case_merged",  # where a request went when it was combined with another
        "information_requested",  # the desk's own question in the case, like a reply
        # The portal's sign-in link and a colleague's invitation: asked for, never opted out.
        "portal_sign_in",
        "portal_invitation",
        # A new staff member's set-password link: they have made no email choices yet.
        "staff_invitation",
    }
    assert employer_may_receive(KINDS[Kind.PORTAL_SIGN_IN], opted_out=True)
    waiting = KINDS["email.case_waiting"]
    resolved = KINDS["email.case_resolved"]
    assert employer_may_receive(waiting, opted_out=False)
    assert not employer_may_receive(waiting, opted_out=True)
    assert employer_may_receive(resolved, opted_out=True)


def test_staff_choices() -> None:
    keys = [entry.key for entry in staff_event_types()]
    assert keys == [
        "new_case",
        "case_assigned",
        "employer_replied",
        "case_transferred_in",
        "case_followed",  # in the catalogue: the choice and the bell apply
        "sla_warning",
        "sla_breach",
        "sla_escalation",
        "follow_up_due",
    ]
    reply = KINDS["email.employer_reply"]
    new_case = KINDS["notify.new_case"]
    assert wants_email_now(reply, None)  # default: email at once
    assert not wants_email_now(new_case, None)  # default: the bell only
    assert wants_email_now(new_case, Delivery.IMMEDIATE)
    assert not wants_email_now(reply, Delivery.DIGEST)
    assert not wants_email_now(reply, Delivery.IN_APP)
    assert wants_email_now(KINDS["email.daily_digest"], Delivery.IN_APP)  # not a choice


def test_channels_and_unknown_kinds() -> None:
    assert channel_of("webhook.case_event") == "webhook"
    assert channel_of("email.case_received") == "email"
    assert channel_of("notify.new_case") == "email"
    assert event_type("email.no_such_kind") is None
    assert kind_of("email.no_such_kind") is None
    assert kind_of("email.case_followed") is Kind.CASE_FOLLOWED
    assert event_type("email.case_followed") is KINDS[Kind.CASE_FOLLOWED]


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"type":"case.received"}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signed_message(1_700_000_000, body) == b"1700000000." + body
    assert sign("s3cret", 1_700_000_000, body) == f"sha256={expected}"


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now", "ok"),
    [
        ("s3cret", "1700000000", b"{}", 1_700_000_100, True),
        ("wrong", "1700000000", b"{}", 1_700_000_100, False),
        ("s3cret", "1700000000", b"{ }", 1_700_000_100, False),  # body changed
        ("s3cret", "1700000001", b"{}", 1_700_000_100, False),  # timestamp changed
        ("s3cret", "1700000000", b"{}", 1_700_000_301, False),  # too old: a replay
        ("s3cret", "not-a-number", b"{}", 1_700_000_100, False),
    ],
)
def test_verify(secret: str, timestamp: str, body: bytes, now: int, ok: bool) -> None:
    signature = sign("s3cret", 1_700_000_000, b"{}")
    assert verify(secret, timestamp, body, signature, now=now) is ok


@given(st.text(min_size=1), st.integers(min_value=0, max_value=2**40), st.binary())
def test_a_signature_verifies_and_binds_the_body(secret: str, timestamp: int, body: bytes) -> None:
    signature = sign(secret, timestamp, body)
    assert verify(secret, str(timestamp), body, signature, now=timestamp)
    assert not verify(secret, str(timestamp), body + b"x", signature, now=timestamp)
