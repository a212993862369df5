"""SLA clocks of cases, policies, closure days and the sweep, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from desk.config import PROJECT_ROOT, load_config, session_settings
from desk.db import make_session_factory
from desk.domain.business_calendar import HELSINKI
from desk.domain.sla import SlaState, Target
from desk.models import (
    BusinessHoursRow,
    Case,
    CaseEvent,
    CaseSlaTarget,
    OutboxMessage,
    SlaEvent,
    SlaPolicy,
    Team,
    User,
)
from desk.services import cases, demo_cases, sla, sla_policies, users
from desk.services.errors import Conflict
from desk.services.sla_config import SlaConfigError
from tests.conftest import TEST_ENVIRON, raw_submission
from tests.support.actors import as_staff
from tests.support.queues import queued

MINUTE = timedelta(minutes=1)


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


def targets(session: Session, case: Case) -> dict[str, CaseSlaTarget]:
    session.expire_all()
    rows = session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    return {row.target: row for row in rows}


def set_status(session: Session, case: Case, status: str, now: datetime) -> None:
    """Move the case and sync its clocks at a chosen instant (the case services use now)."""
    case.status = status
    sla.sync_with_status(session, case, now)
    session.commit()


def notified(session: Session, kind: str) -> list[tuple[int, str, int]]:
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    )
    return [(r.payload["case_id"], r.payload["target"], r.payload["user_id"]) for r in rows]


def add_user(
    session: Session,
    email: str,
    role: str = "adviser",
    authority: str = "paijat-hame",
    teams: tuple[str, ...] = ("paijat-hame-employer-services",),
    language: str = "fi",
) -> User:
    """A staff user without password hashing (these tests never sign in; hashing is slow)."""
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash="!",
        role=role,
        authority_slug=authority,
        languages=language,
        ui_language=language,
        active=True,
        teams=list(session.scalars(select(Team).where(Team.slug.in_(teams)))),
    )
    session.add(user)
    session.commit()
    return user


def test_submit_starts_both_clocks_at_the_next_open_instant(session: Session) -> None:
    saturday = hki(2026, 3, 7, 12)
    case = cases.submit_case(session, raw_submission(), now=saturday)
    rows = targets(session, case)
    first, resolution = rows["first_response"], rows["resolution"]
    assert first.started_at == hki(2026, 3, 9, 8)
    assert (first.target_minutes, resolution.target_minutes) == (480, 4800)
    assert first.due_at == hki(2026, 3, 9, 16)
    assert resolution.due_at == hki(2026, 3, 20, 16)
    assert first.policy.version == 1 and first.policy.need_code == "recruitment"
    assert case.sla_next_check_at == hki(2026, 3, 9, 14)  # 75 % of the first response
    assert case.sla_due_at == hki(2026, 3, 9, 16)
    views = sla.case_targets(session, case, now=hki(2026, 3, 9, 9))
    assert [(v.target, v.state) for v in views] == [
        (Target.FIRST_RESPONSE, SlaState.ON_TRACK),
        (Target.RESOLUTION, SlaState.ON_TRACK),
    ]
    assert views[0].remaining == timedelta(hours=7)


def test_change_security_has_four_business_hours(session: Session) -> None:
    case = cases.submit_case(
        session, raw_submission(need="change-security"), now=hki(2026, 12, 23, 15)
    )
    assert targets(session, case)["first_response"].due_at == hki(2026, 12, 28, 11)


def test_the_first_public_reply_meets_the_first_response(session: Session) -> None:
    adviser = add_user(session, "adviser@example.fi")
    case = cases.submit_case(session, raw_submission())
    cases.add_note(session, as_staff(adviser), case.id, "Internal only")
    assert targets(session, case)["first_response"].met_at is None
    cases.reply(session, as_staff(adviser), case.id, "Hello!")
    rows = targets(session, case)
    assert rows["first_response"].met_at == case.first_response_at
    assert rows["resolution"].met_at is None and rows["resolution"].running_since is not None
    cases.reply(session, as_staff(adviser), case.id, "Another reply changes nothing")
    assert targets(session, case)["first_response"].met_at == case.first_response_at


def test_waiting_pauses_the_clocks_and_the_employer_answer_resumes_them(session: Session) -> None:
    adviser = add_user(session, "adviser@example.fi")
    case = cases.submit_case(session, raw_submission())
    cases.claim(session, as_staff(adviser), case.id)
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    rows = targets(session, case)
    assert all(r.running_since is None and r.paused_at is not None for r in rows.values())
    assert (case.sla_next_check_at, case.sla_due_at) == (None, None)
    assert {v.state for v in sla.case_targets(session, case)} == {SlaState.PAUSED}

    cases.employer_reply(session, case, "Here is the information.")
    rows = targets(session, case)
    assert all(r.running_since is not None and r.paused_at is None for r in rows.values())
    assert case.sla_next_check_at is not None and case.sla_due_at is not None


def test_pause_and_resume_keep_exact_business_time(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 9))  # Monday
    set_status(session, case, "waiting", hki(2026, 3, 2, 11))
    rows = targets(session, case)
    assert rows["first_response"].elapsed_minutes == 120
    assert rows["first_response"].paused_at == hki(2026, 3, 2, 11)
    set_status(session, case, "open", hki(2026, 3, 4, 14))  # the employer answered
    rows = targets(session, case)
    assert rows["first_response"].due_at == hki(2026, 3, 5, 12)  # 6 h left: Wed 2 h, Thu 4 h
    assert case.sla_due_at == hki(2026, 3, 5, 12)
    # Paused again over a weekend, resumed on Monday: the weekend and the pause are not counted.
    set_status(session, case, "waiting", hki(2026, 3, 4, 15))
    set_status(session, case, "open", hki(2026, 3, 9, 8))
    rows = targets(session, case)
    assert rows["first_response"].elapsed_minutes == 180
    assert rows["first_response"].due_at == hki(2026, 3, 9, 13)
    views = sla.case_targets(session, case, now=hki(2026, 3, 9, 12))
    assert views[0].state is SlaState.AT_RISK and views[0].remaining == timedelta(hours=1)


def test_resolving_meets_the_resolution_and_reopening_resumes_it(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(need="job-ad"), now=hki(2026, 3, 2, 8))
    set_status(session, case, "resolved", hki(2026, 3, 2, 12))
    rows = targets(session, case)
    assert rows["resolution"].met_at == hki(2026, 3, 2, 12)
    assert rows["resolution"].elapsed_minutes == 240
    assert rows["first_response"].met_at is None  # resolved without a public reply
    assert case.sla_next_check_at is None

    set_status(session, case, "open", hki(2026, 3, 5, 8))  # reopened on Thursday
    rows = targets(session, case)
    assert rows["resolution"].met_at is None
    assert rows["resolution"].running_since == hki(2026, 3, 5, 8)
    assert rows["resolution"].due_at == hki(2026, 3, 6, 12)  # 960 - 240 = 12 h left
    set_status(session, case, "resolved", hki(2026, 3, 5, 10))
    assert targets(session, case)["resolution"].elapsed_minutes == 360


def test_a_case_keeps_the_policy_it_was_opened_under(session: Session) -> None:
    admin = add_user(session, "admin@example.fi", role="admin", teams=())
    before = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    row = sla_policies.change_policy(session, as_staff(admin), "recruitment", 240, 2400, 80)
    assert (row.version, row.created_by_id) == (2, admin.id)
    after = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))

    old, new = targets(session, before), targets(session, after)
    assert (old["first_response"].target_minutes, old["first_response"].policy.version) == (480, 1)
    assert old["first_response"].due_at == hki(2026, 3, 2, 16)
    assert (new["first_response"].target_minutes, new["first_response"].policy.version) == (240, 2)
    assert (new["resolution"].target_minutes, new["resolution"].warning_percent) == (2400, 80)
    assert new["first_response"].due_at == hki(2026, 3, 2, 12)

    listing = {p.need.code: p for p in sla_policies.list_policies(session)}
    assert (listing["recruitment"].version, listing["recruitment"].policy.resolution_minutes) == (
        2,
        2400,
    )
    assert listing["job-ad"].version == 0  # the shipped default, nothing stored yet
    assert [v.version for v in sla_policies.policy_history(session, "recruitment")] == [2, 1]
    with pytest.raises(Conflict):
        sla_policies.change_policy(session, as_staff(admin), "recruitment", 240, 2400, 80)
    session.rollback()
    # Removing the administrator keeps the versions they saved.
    versions = session.scalar(select(func.count()).select_from(SlaPolicy))
    session.delete(admin)
    session.commit()
    assert session.scalar(select(func.count()).select_from(SlaPolicy)) == versions


def test_a_first_policy_change_keeps_the_shipped_default_as_version_one(session: Session) -> None:
    admin = add_user(session, "admin@example.fi", role="admin", teams=())
    sla_policies.change_policy(session, as_staff(admin), "job-ad", 240, 480, 75)
    history = sla_policies.policy_history(session, "job-ad")
    assert [(v.version, v.first_response_minutes, v.created_by_id) for v in history] == [
        (2, 240, admin.id),
        (1, 480, None),
    ]


def test_closure_days_close_the_desk_or_one_authority(session: Session) -> None:
    admin = add_user(session, "admin@example.fi", role="admin", teams=())
    sla_policies.add_closure_day(
        session,
        as_staff(admin),
        date(2026, 3, 3),
        "paijat-hame",
        "Training day",
        today=date(2026, 1, 1),
    )
    sla_policies.add_closure_day(
        session, as_staff(admin), date(2026, 3, 4), None, "Moving house", today=date(2026, 1, 1)
    )
    with pytest.raises(Conflict):
        sla_policies.add_closure_day(
            session, as_staff(admin), date(2026, 3, 4), None, "again", today=date(2026, 1, 1)
        )
    session.rollback()

    monday = hki(2026, 3, 2, 15)
    paijat_hame = cases.submit_case(session, raw_submission(), now=monday)
    lahti = cases.submit_case(session, raw_submission(municipality="398"), now=monday)
    # Päijät-Häme: Monday 1 h, Tuesday and Wednesday closed, Thursday 7 h.
    assert targets(session, paijat_hame)["first_response"].due_at == hki(2026, 3, 5, 15)
    # Lahti: Monday 1 h, Tuesday 7 h (only Wednesday is closed for everybody).
    assert targets(session, lahti)["first_response"].due_at == hki(2026, 3, 3, 15)

    days = sla_policies.list_closure_days(session)
    assert [(d.day, d.authority_slug) for d in days] == [
        (date(2026, 3, 3), "paijat-hame"),
        (date(2026, 3, 4), None),
    ]
    sla_policies.remove_closure_day(session, as_staff(admin), days[0].id)
    assert len(sla_policies.list_closure_days(session)) == 1


def test_setup_loads_hours_and_first_versions_without_overwriting_edits(
    session: Session, tmp_path: Path
) -> None:
    config = tmp_path / "sla.toml"
    config.write_text(
        """
[calendar.hours]
mon = "08:00-16:00"
tue = "08:00-16:00"
wed = "08:00-16:00"
thu = "08:00-16:00"
fri = "08:00-16:00"

[calendar.authorities.lahti.hours]
mon = "08:00-16:00"
tue = "08:00-16:00"
wed = "08:00-16:00"
thu = "08:00-16:00"
fri = "08:00-14:00"

[[policies]]
needs = ["recruitment", "job-ad"]
first_response_minutes = 120
resolution_minutes = 960
"""
    )
    sla_policies.load_sla_config(session, config)
    admin = add_user(session, "admin@example.fi", role="admin", teams=())
    sla_policies.change_policy(session, as_staff(admin), "job-ad", 60, 480, 50)
    sla_policies.load_sla_config(session, config)  # idempotent; keeps the edit

    assert session.get(BusinessHoursRow, "lahti").hours["fri"] == "08:00-14:00"
    assert session.get(BusinessHoursRow, "paijat-hame").hours["fri"] == "08:00-16:00"
    history = sla_policies.policy_history(session, "job-ad")
    assert [(v.version, v.first_response_minutes) for v in history] == [(2, 60), (1, 120)]
    friday = hki(2026, 3, 6, 13)
    lahti = cases.submit_case(session, raw_submission(municipality="398"), now=friday)
    assert targets(session, lahti)["first_response"].due_at == hki(2026, 3, 9, 9)


OTHER_SLA_FILE = """
[calendar.hours]
mon = "09:00-15:00"
tue = "09:00-15:00"
wed = "09:00-15:00"
thu = "09:00-15:00"
fri = "09:00-15:00"

[calendar.authorities.lahti.hours]
mon = "10:00-14:00"

[[policies]]
needs = ["other", "recruitment"]
first_response_minutes = 60
resolution_minutes = 600
warning_percent = 50
"""


@pytest.mark.committed  # another connection (or the app's own engine) must see it
def test_the_defaults_come_from_the_configured_sla_file(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "other-sla.toml"
    path.write_text(OTHER_SLA_FILE)
    factory = make_session_factory(
        engine,
        session_settings({**load_config(environ=dict(TEST_ENVIRON)), "SLA_CONFIG_FILE": str(path)}),
    )
    with factory() as other:
        # Nothing stored: the configured file answers, not the shipped config/sla.toml.
        assert sla_policies.effective_policy(other, "job-ad").first_response_minutes == 60
        listing = {p.need.code: p for p in sla_policies.list_policies(other)}
        assert (listing["recruitment"].version, listing["recruitment"].policy.warning_percent) == (
            0,
            50,
        )
        calendars = sla_policies.load_calendars(other)
        monday = date(2026, 3, 2)
        assert calendars.for_authority("paijat-hame").window(monday) == (
            hki(2026, 3, 2, 9),
            hki(2026, 3, 2, 15),
        )
        assert calendars.for_authority("lahti").window(monday) == (
            hki(2026, 3, 2, 10),
            hki(2026, 3, 2, 14),
        )
        case = cases.submit_case(other, raw_submission(), now=hki(2026, 3, 2, 8))
        first = targets(other, case)["first_response"]
        assert (first.target_minutes, first.policy.version) == (60, 1)
        assert first.due_at == hki(2026, 3, 2, 10)  # opens at 09:00, one business hour


def test_a_session_without_an_sla_file_refuses_instead_of_guessing(engine: Engine) -> None:
    with make_session_factory(engine)() as bare, pytest.raises(SlaConfigError):
        sla_policies.effective_policy(bare, "nothing-stored-for-this-need")


# --- the sweep ------------------------------------------------------------------------------


@pytest.fixture
def staff(session: Session) -> dict[str, User]:
    """Two advisers and a manager in the Päijät-Häme team, another manager of the authority
    outside the team, and a Lahti manager who must never hear of Päijät-Häme cases."""
    return {
        "a": add_user(session, "a@example.fi"),
        "b": add_user(session, "b@example.fi", language="sv"),
        "team_manager": add_user(session, "m@example.fi", role="manager"),
        "authority_manager": add_user(session, "m2@example.fi", role="manager", teams=()),
        "lahti_manager": add_user(
            session,
            "lm@example.fi",
            role="manager",
            authority="lahti",
            teams=("lahti-employer-services",),
        ),
    }


def test_sweep_warns_the_team_then_breaches_then_escalates_once_each(
    session: Session, staff
) -> None:
    case = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    team = [staff[k].id for k in ("a", "b", "team_manager")]
    managers = [staff["team_manager"].id, staff["authority_manager"].id]

    assert sla.sweep(session, now=hki(2026, 3, 2, 13, 59)).events == []
    result = sla.sweep(session, now=hki(2026, 3, 2, 14))
    assert result.events == [(case.id, "first_response", "warning")]
    assert notified(session, "email.sla_warning") == [(case.id, "first_response", u) for u in team]
    assert sla.sweep(session, now=hki(2026, 3, 2, 14, 30)).events == []
    session.refresh(case)
    assert case.sla_next_check_at == hki(2026, 3, 2, 16)

    result = sla.sweep(session, now=hki(2026, 3, 2, 16))
    assert result.events == [(case.id, "first_response", "breach")]
    assert [u for _c, _t, u in notified(session, "email.sla_breach")] == [
        *team,
        staff["authority_manager"].id,
    ]
    session.refresh(case)
    assert case.sla_next_check_at == hki(2026, 3, 3, 16)

    result = sla.sweep(session, now=hki(2026, 3, 3, 16))
    assert result.events == [(case.id, "first_response", "escalation")]
    assert [u for _c, _t, u in notified(session, "email.sla_escalation")] == managers
    assert sla.sweep(session, now=hki(2026, 3, 13, 16)).events == [
        (case.id, "resolution", "breach")
    ]
    kinds = [e.kind for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    assert kinds.count("sla_warning") == 1 and kinds.count("sla_escalation") == 1
    assert staff["lahti_manager"].id not in {u for *_x, u in notified(session, "email.sla_breach")}
    views = sla.case_targets(session, case, now=hki(2026, 3, 13, 16))
    assert {v.state for v in views} == {SlaState.BREACHED}


def test_an_assigned_case_warns_its_assignee_and_breaches_to_the_managers(
    session: Session, staff
) -> None:
    case = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    case.assignee_id = staff["b"].id
    session.commit()
    sla.sweep(session, now=hki(2026, 3, 2, 14))
    assert notified(session, "email.sla_warning") == [(case.id, "first_response", staff["b"].id)]
    sla.sweep(session, now=hki(2026, 3, 2, 16))
    assert [u for *_x, u in notified(session, "email.sla_breach")] == [
        staff["b"].id,
        staff["team_manager"].id,
        staff["authority_manager"].id,
    ]


def test_a_met_or_paused_target_sends_nothing(session: Session, staff) -> None:
    met = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    sla.first_response_given(session, met, hki(2026, 3, 2, 9))
    session.commit()
    waiting = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    set_status(session, waiting, "waiting", hki(2026, 3, 2, 9))
    result = sla.sweep(session, now=hki(2026, 3, 2, 17))
    assert result.events == []
    assert result.cases == 0  # nothing due: the resolution warning of the met case is days away


def test_the_sweep_reads_only_due_cases_in_bounded_batches(session: Session, staff) -> None:
    for _ in range(7):
        cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    for _ in range(5):
        cases.submit_case(session, raw_submission(), now=hki(2026, 3, 9, 8))  # not due yet
    settings = sla.SweepSettings(batch_size=3, max_batches=2)
    first = sla.sweep(session, settings, now=hki(2026, 3, 2, 14))
    assert (first.cases, len(first.events)) == (6, 6)
    second = sla.sweep(session, settings, now=hki(2026, 3, 2, 14))
    assert (second.cases, len(second.events)) == (1, 1)
    assert sla.sweep(session, settings, now=hki(2026, 3, 2, 14)).cases == 0


@pytest.mark.committed  # other connections, in threads, see its rows
def test_an_event_is_recorded_once_even_when_two_writers_race(
    session: Session, engine: Engine, staff
) -> None:
    case = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    factory = make_session_factory(engine, session.info)
    with factory() as one, factory() as two:
        planned = [(case, "first_response", sla.EventKind.BREACH)]
        first = sla._record_events(one, planned, sla.utcnow())
        one.commit()
        second = sla._record_events(two, planned, sla.utcnow())
        two.commit()
    assert (first, second) == (planned, [])
    assert session.scalar(select(func.count()).select_from(SlaEvent)) == 1


@pytest.mark.committed  # other connections, in threads, see its rows
def test_two_concurrent_sweeps_record_and_notify_each_event_once(
    session: Session, engine: Engine, staff
) -> None:
    count = 40
    for _ in range(count):
        cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    now = hki(2026, 3, 3, 16)  # every first response breached and escalated
    factory = make_session_factory(engine, session.info)
    barrier = threading.Barrier(2)
    results: list[sla.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with factory() as own:
                barrier.wait()
                results.append(sla.sweep(own, sla.SweepSettings(batch_size=4), now=now))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    events = [e for r in results for e in r.events]
    assert len(events) == len(set(events)) == count * 2  # breach and escalation per case
    assert session.scalar(select(func.count()).select_from(SlaEvent)) == count * 2
    per_case = 4 + 2  # breach: three team members and the other manager; escalation: 2
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind.like("email.sla_%"))
        )
        == count * per_case
    )
    assert sum(r.notifications for r in results) == count * per_case
    assert sum(r.cases for r in results) == count  # no case was swept twice


def test_demo_cases_are_near_and_past_their_targets(session: Session) -> None:
    users.load_demo_users(session, PROJECT_ROOT / "config" / "demo_users.toml")
    created = demo_cases.create_demo_cases(session)
    assert len(created) == len(demo_cases.DEMO_CASES)
    assert demo_cases.create_demo_cases(session) == []  # idempotent
    kinds = {kind for _case, _target, kind in sla.sweep(session).events}
    assert kinds == {"warning", "breach", "escalation"}
    states = {
        case.organisation_name: {v.target.value: v.state for v in sla.case_targets(session, case)}
        for case in session.scalars(select(Case))
    }
    assert states["Demo: Hollolan Hoiva Oy"]["resolution"] is SlaState.PAUSED
    assert states["Demo: Lahden Sähkö Oy"]["first_response"] is SlaState.ON_TRACK
    assert states["Demo: Orimattilan Valimo Oy"]["first_response"] is SlaState.BREACHED
    assert states["Demo: Heinolan Kahvila Ky"]["first_response"] is SlaState.MET


def test_queue_sorted_by_nearest_due_time(session: Session, staff) -> None:
    older = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 8))
    urgent = cases.submit_case(
        session, raw_submission(need="change-security"), now=hki(2026, 3, 2, 9)
    )
    paused = cases.submit_case(session, raw_submission(), now=hki(2026, 3, 2, 7))
    set_status(session, paused, "waiting", hki(2026, 3, 2, 9))
    adviser = staff["a"]
    assert [c.id for c in queued(session, adviser, sort="received")] == [
        paused.id,
        older.id,
        urgent.id,
    ]
    assert [c.id for c in queued(session, adviser, sort="due")] == [
        urgent.id,
        older.id,
        paused.id,
    ]


def test_times_are_stored_in_utc(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(), now=datetime(2026, 3, 2, 6, tzinfo=UTC))
    row = targets(session, case)["first_response"]
    assert row.due_at == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert row.due_at.tzinfo is UTC
