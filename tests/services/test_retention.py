"""Retention and data-subject rights: anonymised where the period ran out or the person asked,
statistics kept, open cases untouched, everything on record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.retention import PLACEHOLDER, months_before
from desk.models import AuditEntry, Case, CaseMessage, EmployerOptOut
from desk.services import audit, cases, data_subjects, retention
from desk.services.access import Actor, Channel
from desk.services.errors import Conflict, Forbidden
from tests.conftest import raw_submission

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
PERIODS = retention.Periods(closed_cases=24, attachments=0, audit_entries=60)


def _case(session: Session, status: str, finished: datetime | None, **changes: str) -> Case:
    case = cases.submit_case(
        session, raw_submission(**changes), now=datetime(2024, 1, 8, 9, tzinfo=UTC)
    )
    case.status = status
    case.resolved_at = finished
    case.closed_at = finished if status == "closed" else None
    session.add(
        CaseMessage(case_id=case.id, author_kind="staff", visibility="public", body="Hi Teija")
    )
    session.commit()
    return case


def test_months_before_keeps_the_last_day_of_short_months() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 12, 2, tzinfo=UTC), 24) == datetime(2024, 12, 2, tzinfo=UTC)


def test_old_finished_cases_are_anonymised_and_still_counted(session: Session) -> None:
    old = _case(session, "closed", datetime(2024, 11, 30, tzinfo=UTC), email="old@example.fi")
    resolved = _case(session, "resolved", datetime(2024, 6, 1, tzinfo=UTC))
    recent = _case(session, "closed", datetime(2025, 1, 5, tzinfo=UTC))
    active = _case(session, "open", None)
    updated = old.updated_at
    run = retention.apply_retention(session, PERIODS, now=NOW)
    assert run.cases == 2
    session.expire_all()
    for case in (old, resolved):
        assert (case.contact_name, case.email, case.phone, case.description) == (
            PLACEHOLDER,
            "",
            "",
            PLACEHOLDER,
        )
        assert all(m.body == PLACEHOLDER for m in case.messages)
        # The statistics columns stay for the SLA reports.
        assert case.need_code == "recruitment" and case.team_id and case.resolved_at
    assert old.updated_at == updated
    for case in (recent, active):
        assert case.contact_name == "Teija Työnantaja"
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == audit.Action.RETENTION)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.details["cases"] == 2
    # A second run finds nothing left to do.
    assert retention.apply_retention(session, PERIODS, now=NOW).cases == 0


def _admin(make_user) -> Actor:
    return Actor.staff(make_user("admin@example.fi", role="admin", authority="lahti"), Channel.WEB)


def test_export_holds_the_persons_cases_and_is_on_record(session: Session, make_user) -> None:
    admin = _admin(make_user)
    case = _case(session, "closed", NOW, email="Subject@Example.fi")
    _case(session, "closed", NOW, email="someone.else@example.fi")
    session.add(EmployerOptOut(email="subject@example.fi"))
    session.commit()
    data = data_subjects.export(session, admin, "SUBJECT@example.fi", "json")
    exported = data_subjects.as_json(data)
    assert [c["reference"] for c in exported["cases"]] == [case.reference]
    assert exported["cases"][0]["messages"][0]["body"] == "Hi Teija"
    assert exported["email_opt_out"] is not None
    logged = audit.for_person(session, "subject@example.fi", limit=1)[0]
    assert logged.action == audit.Action.SUBJECT_EXPORT and logged.actor_email == "admin@example.fi"


def test_erasure_waits_for_open_cases_then_anonymises(session: Session, make_user) -> None:
    admin = _admin(make_user)
    done = _case(session, "closed", NOW, email="erase@example.fi")
    still_open = _case(session, "open", None, email="erase@example.fi")
    with pytest.raises(Conflict, match=still_open.reference):
        data_subjects.erase(session, admin, "erase@example.fi")
    session.expire_all()
    assert done.contact_name == "Teija Työnantaja"
    still_open.status = "closed"
    session.commit()
    result = data_subjects.erase(session, admin, "erase@example.fi")
    assert result.cases == 2
    assert data_subjects.find(session, admin, "erase@example.fi").cases == []
    assert audit.for_person(session, "erase@example.fi", limit=1)[0].action == "data_subject.erase"


def test_only_administrators_and_real_addresses(session: Session, make_user) -> None:
    adviser = Actor.staff(make_user(), Channel.WEB)
    with pytest.raises(Forbidden):
        data_subjects.find(session, adviser, "a@example.fi")
    with pytest.raises(FieldErrors):
        data_subjects.find(session, _admin(make_user), "not an address")
