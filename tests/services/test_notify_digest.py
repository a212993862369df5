"""The daily digest: business days only, each held notification once, managers' at-risk and
breached cases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Notification, OutboxMessage, User
from desk.services import cases, sla, sla_policies
from desk.services.notify import digest, preferences
from desk.services.notify.emails import email_for
from tests.conftest import raw_submission
from tests.support.actors import as_staff

# 08:00 in Helsinki (UTC+2 in winter, UTC+3 in summer).
MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 3, 7, 6, 0, tzinfo=UTC)
MIDSUMMER_EVE = datetime(2026, 6, 19, 5, 0, tzinfo=UTC)  # a Friday, closed in Finland


def digests(session: Session) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.kind == digest.KIND)
    return list(session.scalars(stmt.order_by(OutboxMessage.id)))


def wants_digest(session: Session, user: User) -> None:
    choices = {e.key: d.value for e, d in preferences.choices_of(session, user.id)}
    preferences.save_choices(session, user, {**choices, "employer_replied": "digest"})


def test_no_digest_on_weekends_or_public_holidays(session: Session, make_user: Any) -> None:
    adviser = make_user()
    wants_digest(session, adviser)
    case = cases.submit_case(session, raw_submission())
    cases.employer_reply(session, case, "Any news?")
    assert digest.prepare_daily_digests(session, SATURDAY) == 0
    assert digest.prepare_daily_digests(session, MIDSUMMER_EVE) == 0
    assert digests(session) == []
    assert digest.prepare_daily_digests(session, MONDAY) == 1


def test_each_held_notification_goes_into_one_digest(session: Session, make_user: Any) -> None:
    adviser = make_user()
    other = make_user("other@example.fi")  # chose nothing: emails at once, no digest
    wants_digest(session, adviser)
    case = cases.submit_case(session, raw_submission())
    cases.employer_reply(session, case, "Any news?")
    cases.employer_reply(session, case, "Hello?")

    assert digest.prepare_daily_digests(session, MONDAY) == 1
    assert digest.prepare_daily_digests(session, MONDAY + timedelta(minutes=5)) == 0  # twice
    (row,) = digests(session)
    assert row.payload["user_id"] == adviser.id and row.payload["date"] == "2026-03-02"
    assert row.dedupe_key == f"digest:{adviser.id}:2026-03-02"
    held = session.scalars(
        select(Notification).where(
            Notification.user_id == adviser.id, Notification.event_type == "employer_replied"
        )
    ).all()
    assert sorted(row.payload["notification_ids"]) == sorted(n.id for n in held)
    assert {(n.digest_state, n.digest_outbox_id) for n in held} == {("sent", row.id)}
    # The next business day: nothing new, nothing sent.
    assert digest.prepare_daily_digests(session, MONDAY + timedelta(days=1)) == 0
    assert other.id not in [r.payload["user_id"] for r in digests(session)]

    spec = email_for(session, row, "http://desk.test")
    assert (spec.to, spec.template, spec.language) == (adviser.email, "daily_digest", "fi")
    assert [item["event_type"] for item in spec.context["items"]] == ["employer_replied"] * 2
    assert spec.context["items"][0]["reference"] == case.reference
    assert spec.context["is_manager"] is False


def test_managers_hear_of_their_authoritys_cases_at_risk(session: Session, make_user: Any) -> None:
    manager = make_user("boss@example.fi", role="manager", teams=())
    lahti_manager = make_user("lahti-boss@example.fi", role="manager", authority="lahti", teams=())
    # MONDAY is 08:00 in Helsinki; a first response is due within one business day (480 min).
    fresh = cases.submit_case(session, raw_submission(), now=MONDAY - timedelta(hours=2))
    # Friday 10:00: 360 business minutes (75 %) used by Monday 08:00, so at risk.
    risky = cases.submit_case(session, raw_submission(), now=MONDAY - timedelta(days=3, hours=-2))
    # Thursday 10:00: due Friday 10:00, so breached by Monday.
    late = cases.submit_case(session, raw_submission(), now=MONDAY - timedelta(days=4, hours=-2))
    answered = cases.submit_case(
        session, raw_submission(), now=MONDAY - timedelta(days=4, hours=-2)
    )
    adviser = make_user()
    cases.reply(session, as_staff(adviser), answered.id, "On it.")
    sla.sweep(session, now=MONDAY)  # records the warnings and breaches the digest reads

    report = digest.at_risk(session, "paijat-hame")
    assert [c.id for c in report.at_risk] == [risky.id]
    assert [c.id for c in report.breached] == [late.id]
    assert fresh.id not in [c.id for c in report.at_risk + report.breached]

    digest.prepare_daily_digests(session, MONDAY)
    recipients = [row.payload["user_id"] for row in digests(session)]
    assert recipients == [manager.id]  # the Lahti manager has nothing to read
    assert lahti_manager.id not in recipients
    spec = email_for(session, digests(session)[0], "http://desk.test")
    assert [c["reference"] for c in spec.context["at_risk"]] == [risky.reference]
    assert [c["reference"] for c in spec.context["breached"]] == [late.reference]
    assert spec.context["is_manager"] is True


def test_closure_days_of_the_sla_calendar_hold_the_digest(session: Session, make_user: Any) -> None:
    admin = make_user("admin@example.fi", role="admin", teams=())
    adviser = make_user()
    lahti_adviser = make_user(
        "lahti@example.fi", authority="lahti", teams=("lahti-employer-services",)
    )
    for person in (adviser, lahti_adviser):
        wants_digest(session, person)
    for place in ("560", "398"):  # one case in each authority's team
        case = cases.submit_case(session, raw_submission(municipality=place))
        cases.employer_reply(session, case, "Any news?")
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    sla_policies.add_closure_day(
        session,
        as_staff(admin),
        date(2026, 3, 2),
        None,
        "Whole desk closed",
        today=date(2026, 1, 1),
    )
    sla_policies.add_closure_day(
        session,
        as_staff(admin),
        date(2026, 3, 3),
        "paijat-hame",
        "Training day",
        today=date(2026, 1, 1),
    )

    assert digest.prepare_daily_digests(session, MONDAY) == 0
    assert digest.prepare_daily_digests(session, tuesday) == 1  # Lahti is open
    assert [row.payload["user_id"] for row in digests(session)] == [lahti_adviser.id]
    assert digest.prepare_daily_digests(session, wednesday) == 1  # the held notification
    assert [row.payload["user_id"] for row in digests(session)] == [lahti_adviser.id, adviser.id]
