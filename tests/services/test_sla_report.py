"""The SLA report on SQLite and PostgreSQL, on the hand-computed data of
tests/support/sla_report_data.py (read its docstring for every expected figure)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.services.access import Actor, Channel
from desk.services.errors import Forbidden
from desk.services.reports.sla_report import sla_report
from tests.support import sla_report_data as data
from tests.support.actors import as_staff

CLI = Actor.system(Channel.CLI)


@pytest.fixture
def built(session: Session) -> Session:
    data.build(session)
    return session


def test_the_report_matches_the_hand_computed_figures(built: Session) -> None:
    report = sla_report(built, CLI, *data.PERIOD, now=data.NOW)
    result = report.as_json()
    assert result["period"] == data.EXPECTED["period"]
    assert result["teams"] == data.EXPECTED["teams"]
    assert result["authorities"] == data.EXPECTED["authorities"]
    assert result["total"] == data.EXPECTED["total"]
    assert list(result["teams"]) == sorted(data.TEAMS)


def test_one_authority_narrows_the_total_and_the_teams(built: Session) -> None:
    result = sla_report(built, CLI, *data.PERIOD, authority="lahti", now=data.NOW).as_json()
    assert result["authorities"] == {"lahti": data.LAHTI}
    assert result["total"] == data.LAHTI
    assert set(result["teams"]) == {data.LES, "regional-intake", "regional-international"}
    # The regional change-security team is paijat-hame's although its case is a Lahti one.
    ph = sla_report(built, CLI, *data.PERIOD, authority="paijat-hame", now=data.NOW).as_json()
    assert ph["total"] == data.PAIJAT_HAME
    assert set(ph["teams"]) == {data.PH, data.RCS}


def test_a_due_instant_after_now_is_not_yet_breached(built: Session) -> None:
    # Monday 03-02 at 15:30: F's first response was due at 14:00 and answered at 15:00
    # (breached); I's is due at 16:00, still ahead; C's was met at 10:00 after 120 minutes.
    day = date(2026, 3, 2)
    report = sla_report(built, CLI, day, day, now=data.hki(2026, 3, 2, 15, 30))
    ph = report.teams[data.PH]
    assert (ph.received, ph.first_response.met, ph.first_response.breached) == (1, 1, 1)
    assert ph.first_response.compliance == 50.0
    assert (ph.first_response_minutes.median, ph.first_response_minutes.p90) == (330.0, 498.0)
    assert (ph.resolution.met, ph.resolution.breached, ph.resolution.compliance) == (0, 0, None)


def test_an_empty_period_lists_every_team_with_zeros(session: Session) -> None:
    result = sla_report(session, CLI, date(2026, 1, 1), date(2026, 1, 31)).as_json()
    assert set(result["authorities"]) == {"lahti", "paijat-hame"}
    assert all(value == data.ZERO for value in result["teams"].values())
    assert set(result["teams"]) == set(data.TEAMS)
    assert result["total"] == data.ZERO


def test_managers_and_admins_read_reports_advisers_their_teams(session: Session, make_user) -> None:
    day = date(2026, 1, 1)
    manager = make_user("manager@example.fi", role="manager", authority="lahti", teams=())
    admin = make_user("admin@example.fi", role="admin", teams=())
    adviser = make_user("adviser@example.fi")
    assert sla_report(session, as_staff(manager), day, day).authorities.keys() == {
        "lahti",
        "paijat-hame",
    }  # a manager reads both authorities: the steering group compares them
    sla_report(session, as_staff(admin), day, day)
    # An adviser: their own teams' figures only (access.report_team_ids); none, no report.
    own = sla_report(session, as_staff(adviser), day, day)
    assert set(own.teams) == {team.slug for team in adviser.teams} != set()
    loner = make_user("loner@example.fi", teams=())
    with pytest.raises(Forbidden):
        sla_report(session, as_staff(loner), day, day)
    with pytest.raises(Forbidden):
        sla_report(session, Actor.employer(Channel.API), day, day)


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        ((date(2026, 2, 1), date(2026, 1, 31)), {"to": "before_from"}),
        ((date(1999, 12, 31), date(2026, 1, 31)), {"from": "out_of_range"}),
        ((date(2026, 1, 1), date(9999, 12, 31)), {"to": "out_of_range"}),
    ],
)
def test_a_bad_period_is_a_field_error(session: Session, args, errors) -> None:
    with pytest.raises(FieldErrors) as caught:
        sla_report(session, CLI, *args)
    assert caught.value.errors == errors


def test_an_unknown_authority_is_a_field_error(session: Session) -> None:
    with pytest.raises(FieldErrors) as caught:
        sla_report(session, CLI, date(2026, 1, 1), date(2026, 1, 2), authority="tampere")
    assert caught.value.errors == {"authority": "invalid"}
