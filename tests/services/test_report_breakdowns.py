"""The weekly trend, the first-response distribution and the case rows behind the figures,
on the hand-computed data of tests/support/sla_report_data.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.models import Case, CaseEvent, CaseSlaTarget, Need
from desk.services.access import Actor, Channel
from desk.services.errors import Forbidden
from desk.services.reports.backlog import open_backlog, workload
from desk.services.reports.breaches import (
    Transfers,
    authority_transfers,
    breach_list,
    breaches_by_need,
)
from desk.services.reports.case_rows import case_rows
from desk.services.reports.filters import ReportFilters, filter_choices
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


# --- filters --------------------------------------------------------------------------------


def test_the_team_filter_narrows_every_measure(built: Session) -> None:
    report = sla_report(
        built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters(team=data.LES)
    )
    # L only: received and resolved 1, both targets met, FR 30 and RES 480 minutes.
    assert list(report.teams) == [data.LES]
    t = report.total
    assert (t.received, t.resolved) == (1, 1)
    assert (t.first_response.met, t.first_response.breached) == (1, 0)
    assert (t.resolution.met, t.resolution.breached) == (1, 0)
    assert (t.first_response_minutes.median, t.resolution_minutes.median) == (30.0, 480.0)
    assert report.authorities["paijat-hame"].received == 0


def test_the_municipality_and_need_filters(built: Session) -> None:
    lahti = sla_report(
        built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters(municipality="398")
    )
    # K and L: FR met both (180, 30): 100.0, median 105; RES L met, K breached: 50.0.
    t = lahti.total
    assert t.received == 2
    assert (t.first_response.met, t.first_response.breached) == (2, 0)
    assert (t.resolution.met, t.resolution.breached) == (1, 1)
    assert t.first_response_minutes.median == 105.0
    security = sla_report(
        built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters(need="change-security")
    )
    assert security.total.received == 1 and security.total.resolution.breached == 1
    swedish = sla_report(
        built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters(language="sv")
    )
    assert swedish.total.received == 0 and swedish.total.first_response.met == 0


def test_the_adviser_filter_counts_the_assignees_cases(built: Session, make_user) -> None:
    adviser = make_user("a.filter@example.fi")
    for case in built.scalars(select(Case).order_by(Case.created_at)):
        # B (03-27 12:00) and A (04-02 08:00).
        if case.created_at in (data.hki(2026, 3, 27, 12), data.hki(2026, 4, 2, 8)):
            case.assignee_id = adviser.id
    built.commit()
    filters = ReportFilters(adviser=adviser.id)
    t = sla_report(built, CLI, *data.PERIOD, now=data.NOW, filters=filters).total
    # A met both, B breached both; FR minutes 480 and 600: median 540.
    assert (t.received, t.resolved) == (2, 2)
    assert (t.first_response.met, t.first_response.breached) == (1, 1)
    assert (t.resolution.met, t.resolution.breached) == (1, 1)
    assert t.first_response_minutes.median == 540.0
    rows = list(case_rows(built, CLI, *data.PERIOD, now=data.NOW, filters=filters))
    assert len(rows) == 2
    trend = weekly_trend(built, CLI, *data.PERIOD, now=data.NOW, filters=filters)
    assert sum(w.received for w in trend.weeks) == 2
    buckets = first_response_distribution(built, CLI, *data.PERIOD, filters=filters)
    assert sum(b.count for b in buckets) == 2  # A's 480 and B's 600 (late, still given)


def test_no_filters_keep_the_report_unchanged(built: Session) -> None:
    plain = sla_report(built, CLI, *data.PERIOD, now=data.NOW)
    empty = sla_report(built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters())
    assert plain.as_json() == empty.as_json()


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (ReportFilters(team="no-such-team"), "team"),
        (ReportFilters(need="no-such-need"), "need"),
        (ReportFilters(municipality="999"), "municipality"),
        (ReportFilters(language="de"), "language"),
        (ReportFilters(adviser=999999), "adviser"),
    ],
)
def test_unknown_filter_values_are_field_errors(built: Session, filters, field) -> None:
    with pytest.raises(FieldErrors) as caught:
        sla_report(built, CLI, *data.PERIOD, filters=filters)
    assert caught.value.errors == {field: "invalid"}
    with pytest.raises(FieldErrors):
        open_backlog(built, CLI, filters=filters)


# --- the open backlog and the workload --------------------------------------------------------

MAY_4 = data.hki(2026, 5, 4, 12)


def test_the_open_backlog_by_age_and_state(built: Session) -> None:
    backlog = open_backlog(built, CLI, now=MAY_4)
    # Open on Mon 05-04 12:00: G (3.5 days) and H (3.5 days), RES due 05-05: on track;
    # K (21 days) running past 04-17: breached; D and E waiting: paused; F and I: breached.
    assert backlog.row("3-7") == [2, 0, 0, 0]
    assert backlog.row("15-30") == [0, 0, 1, 0]
    assert backlog.row("over-30") == [0, 0, 2, 2]
    assert backlog.row("0-2") == backlog.row("8-14") == [0, 0, 0, 0]
    assert backlog.total == 7 and backlog.state_total("breached") == 3
    assert open_backlog(built, CLI, "lahti", now=MAY_4).total == 0
    regional = open_backlog(built, CLI, now=MAY_4, filters=ReportFilters(team=data.RCS))
    assert regional.total == 1 and regional.row("15-30") == [0, 0, 1, 0]


def test_a_warned_target_is_at_risk(built: Session) -> None:
    g = built.scalars(select(Case).where(Case.created_at == data.hki(2026, 4, 30, 23, 30))).one()
    target = built.scalars(
        select(CaseSlaTarget).where(
            CaseSlaTarget.case_id == g.id, CaseSlaTarget.target == "resolution"
        )
    ).one()
    target.warned_at = MAY_4
    built.commit()
    assert open_backlog(built, CLI, now=MAY_4).row("3-7") == [1, 1, 0, 0]


def test_the_workload_per_adviser(built: Session, make_user) -> None:
    first = make_user("w.first@example.fi")
    second = make_user("w.second@example.fi")
    by_created = {c.created_at: c for c in built.scalars(select(Case))}
    by_created[data.hki(2026, 3, 10, 8)].assignee_id = first.id  # D: paused
    by_created[data.hki(2026, 3, 1, 0, 30)].assignee_id = first.id  # I: breached
    by_created[data.hki(2026, 4, 2, 8)].assignee_id = first.id  # A: resolved, not counted
    by_created[data.hki(2026, 4, 13, 8)].assignee_id = second.id  # K: breached
    built.commit()
    found = workload(built, CLI, now=MAY_4)
    assert [(w.user_id, w.open, w.breached) for w in found] == [(first.id, 2, 1), (second.id, 1, 1)]
    assert workload(built, CLI, "lahti", now=MAY_4) == []


# --- breaches and transfers -----------------------------------------------------------------


def test_the_breaches_newest_due_first_with_how_late(built: Session) -> None:
    found = breach_list(built, CLI, *data.PERIOD, now=data.NOW)
    # FR: B E F I; RES: B E F I K. Newest due: K's RES Fri 04-17 16:00, running until now.
    assert found.more == 0 and len(found.rows) == 9
    first = found.rows[0]
    assert (first.team, first.target) == (data.RCS, "resolution")
    assert first.due_at == data.hki(2026, 4, 17, 16)
    assert first.late == timedelta(days=44, hours=20)  # to Mon 06-01 12:00
    # B's FR due Mon 03-30 12:00, answered 14:00: two hours late.
    assert (found.rows[2].target, found.rows[2].late) == ("first_response", timedelta(hours=2))
    # E's FR due Mon 03-16 16:00, paused Thu 03-19 10:00.
    assert found.rows[4].late == timedelta(days=2, hours=18)
    assert [r.due_at for r in found.rows] == sorted((r.due_at for r in found.rows), reverse=True)
    assert breach_list(built, CLI, *data.PERIOD, "lahti", now=data.NOW).rows == []
    regional = breach_list(
        built, CLI, *data.PERIOD, now=data.NOW, filters=ReportFilters(team=data.RCS)
    )
    assert len(regional.rows) == 1


def test_the_breaches_by_need_most_first_where_and_since_when(built: Session) -> None:
    found = breaches_by_need(built, CLI, *data.PERIOD, now=data.NOW)
    # Every case but K asks for job-ad help: FR B E F I and RES B E F I, all in PH. K (change
    # security, RCS) breached only its resolution.
    assert [(n.need, n.first_response, n.resolution, n.top_team) for n in found] == [
        ("job-ad", 4, 4, data.PH),
        ("change-security", 0, 1, data.RCS),
    ]
    listed = breach_list(built, CLI, *data.PERIOD, now=data.NOW).rows
    assert found[0].earliest_due == min(r.due_at for r in listed if r.team == data.PH)
    assert found[1].earliest_due == data.hki(2026, 4, 17, 16)
    assert breaches_by_need(built, CLI, *data.PERIOD, "lahti", now=data.NOW) == []
    assert sum(n.total for n in found) == len(listed)


def test_the_breaches_are_cut_at_fifty(built: Session, monkeypatch) -> None:
    monkeypatch.setattr("desk.services.reports.breaches.MAX_BREACHES", 4)
    found = breach_list(built, CLI, *data.PERIOD, now=data.NOW)
    assert (len(found.rows), found.more) == (4, 5)


def test_transfers_between_the_authorities(built: Session) -> None:
    cases = list(built.scalars(select(Case).order_by(Case.id)))

    def moved(case: Case, source: str, target: str, when: datetime) -> None:
        built.add(
            CaseEvent(
                case_id=case.id,
                actor_kind="system",
                kind="transferred",
                data={"from_authority": source, "to_authority": target},
                created_at=when,
            )
        )

    moved(cases[0], "paijat-hame", "lahti", data.hki(2026, 3, 5, 9))
    moved(cases[1], "paijat-hame", "lahti", data.hki(2026, 4, 30, 23))
    moved(cases[2], "lahti", "paijat-hame", data.hki(2026, 3, 6, 9))
    moved(cases[3], "lahti", "lahti", data.hki(2026, 3, 6, 9))  # between teams: not counted
    moved(cases[4], "paijat-hame", "lahti", data.hki(2026, 5, 1, 0, 30))  # after the period
    built.commit()
    found = authority_transfers(built, CLI, *data.PERIOD)
    assert found == {"lahti": Transfers(2, 1), "paijat-hame": Transfers(1, 2)}


# --- the filters' choices and an adviser's teams ---------------------------------------------


def test_the_filter_choices(built: Session, make_user) -> None:
    member = make_user("chooser@example.fi", teams=(data.LES,))
    choices = filter_choices(built, "sv")
    assert {c.value for c in choices.teams} >= {data.PH, data.LES, data.RCS}
    assert len(choices.municipalities) == 10
    assert "398" in {c.value for c in choices.municipalities}
    job_ad = next(c for c in choices.needs if c.value == "job-ad")
    assert job_ad.name == built.get(Need, "job-ad").name_sv
    assert str(member.id) in {c.value for c in choices.advisers}
    own = filter_choices(built, "fi", {member.teams[0].id})
    assert [c.value for c in own.teams] == [data.LES]
    assert [c.value for c in own.advisers] == [str(member.id)]


def test_an_adviser_reads_their_own_teams_only(built: Session, make_user) -> None:
    adviser = as_staff(make_user("own@example.fi", teams=(data.RCS,)))
    report = sla_report(built, adviser, *data.PERIOD, now=data.NOW)
    # K only: received 1, FR met (180), RES breached.
    assert list(report.teams) == [data.RCS] and report.total.received == 1
    assert open_backlog(built, adviser, now=MAY_4).total == 1  # K
    assert [b.team for b in breach_list(built, adviser, *data.PERIOD, now=data.NOW).rows] == [
        data.RCS
    ]
    assert sum(b.count for b in first_response_distribution(built, adviser, *data.PERIOD)) == 1
    with pytest.raises(FieldErrors):
        sla_report(built, adviser, *data.PERIOD, filters=ReportFilters(team=data.PH))
    with pytest.raises(Forbidden):
        authority_transfers(built, adviser, *data.PERIOD)
