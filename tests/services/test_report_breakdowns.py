"""The weekly trend, the first-response distribution and the case rows behind the figures,
on the hand-computed data of tests/support/sla_report_data.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from desk.services.access import Actor, Channel
from desk.services.errors import Forbidden
from desk.services.reports.case_rows import case_rows
from desk.services.reports.sla_report import sla_report
from desk.services.reports.trends import MAX_WEEKS, first_response_distribution, weekly_trend
from tests.support import sla_report_data as data
from tests.support.actors import as_staff

CLI = Actor.system(Channel.CLI)


@pytest.fixture
def built(session: Session) -> Session:
    data.build(session)
    return session


def test_the_weeks_add_up_to_the_period(built: Session) -> None:
    trend = weekly_trend(built, CLI, *data.PERIOD, now=data.NOW)
    assert not trend.truncated
    weeks = trend.weeks
    # 2026-03-01 is a Sunday (week 9), 04-30 a Thursday (week 18), each clipped to the period.
    assert (weeks[0].week, weeks[0].date_from, weeks[0].date_to) == (9, *[date(2026, 3, 1)] * 2)
    assert (weeks[-1].week, weeks[-1].date_to) == (18, date(2026, 4, 30))
    assert sum(w.received for w in weeks) == 10
    assert sum(w.resolved for w in weeks) == 5


def test_a_long_period_keeps_the_last_weeks(built: Session) -> None:
    trend = weekly_trend(built, CLI, date(2025, 1, 1), date(2026, 4, 30), now=data.NOW)
    assert trend.truncated and len(trend.weeks) == MAX_WEEKS
    assert trend.weeks[-1].date_to == date(2026, 4, 30)


def test_the_distribution_counts_the_first_responses_of_the_median(built: Session) -> None:
    buckets = first_response_distribution(built, CLI, *data.PERIOD)
    # Minutes 30 60 120 180 240 480 540 600: <60: 1; 60-240: 3; 240-480: 1; 480-960: 3.
    assert [b.count for b in buckets] == [1, 3, 1, 3, 0, 0]
    assert buckets[-1].high is None
    lahti = first_response_distribution(built, CLI, *data.PERIOD, authority="lahti")
    assert sum(b.count for b in lahti) == 1


def test_case_rows_agree_with_the_figures(built: Session) -> None:
    rows = list(case_rows(built, CLI, *data.PERIOD, now=data.NOW))
    report = sla_report(built, CLI, *data.PERIOD, now=data.NOW)
    for target in ("first_response", "resolution"):
        figures = getattr(report.total, target)
        assert sum(getattr(r, target) == "met" for r in rows) == figures.met
        assert sum(getattr(r, target) == "breached" for r in rows) == figures.breached
    assert len(rows) == 11  # A-G, I, K, L, M: H is outside, F is due in the period


def test_a_manager_gets_own_teams_and_regional_cases_of_their_authority(
    built: Session, make_user
) -> None:
    lahti = make_user("m.lahti@example.fi", role="manager", authority="lahti", teams=())
    ph = make_user("m.ph@example.fi", role="manager", authority="paijat-hame", teams=())
    lahti_rows = list(case_rows(built, as_staff(lahti), *data.PERIOD, now=data.NOW))
    # L (Lahti employer services) and K (a regional team's case of a Lahti employer).
    assert sorted(r.team for r in lahti_rows) == [data.LES, data.RCS]
    ph_rows = list(case_rows(built, as_staff(ph), *data.PERIOD, now=data.NOW))
    assert {r.team for r in ph_rows} == {data.PH}
    adviser = make_user("adviser@example.fi")
    with pytest.raises(Forbidden):
        list(case_rows(built, as_staff(adviser), *data.PERIOD))
