"""A small data set for the SLA report whose every figure is worked out by hand below.

Cases are submitted through cases.submit_case at chosen instants; replies, waiting, the
employer's answer and resolution move the clocks through the SLA hooks at chosen instants
(the case services use the wall clock), as tests/services/test_sla.py does.

Business hours Mon-Fri 08:00-16:00 Helsinki. job-ad: first response 480 min (one business
day), resolution 960 (two); change-security: 240 and 2400. The period is 2026-03-01..04-30,
i.e. [2026-02-28 22:00 UTC, 2026-04-30 21:00 UTC) (winter offset at the start, summer at the
end: DST began 2026-03-29); "now" is 2026-06-01 12:00.

PH = paijat-hame-employer-services, LES = lahti-employer-services, RCS =
regional-change-security (hosted by paijat-hame). FR = first response, RES = resolution.

A PH, Thu 04-02 08:00. FR replied at 16:00, the very due instant: met (480). RES due across
  Easter (Good Friday 04-03, Easter Monday 04-06): Tue 04-07 16:00; resolved Tue 12:00: met
  (720 = Thu 480 + Tue 240).
B PH, Fri 03-27 12:00 (winter time; the clocks move on Sunday 03-29). FR due Mon 03-30 12:00
  (Fri 240 + Mon 240), replied 14:00: breached, 600. RES due Tue 03-31 12:00, resolved Tue
  16:00: breached (late, not met), 1200.
C PH, Mon 03-02 08:00. Reply and waiting at 10:00: FR met (120); RES paused at 120. The
  employer answers Thu 03-05 08:00: 840 left, due Fri 03-06 14:00; resolved Fri 13:00: met, 900
  (the paused days do not count).
D PH, Tue 03-10 08:00. Reply and waiting at 09:00: FR met (60). RES waits for ever (stored
  due Wed 03-11 16:00 never arrives, paused before it): neither met nor breached.
E PH, Mon 03-16 08:00. No reply; waiting Thu 03-19 10:00, after both due instants (FR Mon
  16:00, RES Tue 03-17 16:00): both breached though paused.
F PH, Fri 02-27 14:00, received before the period. FR due Mon 03-02 14:00 (in the period),
  replied 15:00: breached, 540 (answered in the period). RES due Tue 03-03 14:00, running:
  breached.
G PH, Thu 04-30 23:30 (20:30 UTC, inside). Due Mon 05-04 (May Day 05-01), after the period:
  received only.
H PH, Fri 05-01 00:30 (04-30 21:30 UTC, outside): nothing.
I PH, Sun 03-01 00:30 (02-28 22:30 UTC, inside). Never touched: FR due Mon 03-02 16:00 and
  RES Tue 03-03 16:00, both running past: breached.
K RCS, a Lahti employer's change security (20 affected; the case's authority set to lahti,
  the team hosted by paijat-hame). Mon 04-13 08:00, replied 11:00: FR met (180). RES due
  Fri 04-17 16:00, running: breached.
L LES, Lahti, Mon 03-23 08:00. Replied 08:30: FR met (30). Resolved Tue 03-24 08:00: met (480).
M PH, Mon 04-20 08:00. Reply and waiting 12:00: FR met (240); RES paused at 240 (stored due
  Tue 04-21 16:00). Resolved straight from waiting Mon 04-27 10:00: met (240 < 960; the stored
  due instant never arrived).

PH: received A B C D E G I M = 8, resolved A B C M = 4. FR met A C D M = 4, breached B E F I
= 4: 50.0. FR minutes 60 120 240 480 540 600: median (240+480)/2 = 360, p90 at 4.5: 570. RES
met A C M = 3, breached B E F I = 4: 42.9 (42.857). RES minutes 240 720 900 1200: median 810,
p90 at 2.7: 900 + 0.7 * 300 = 1110.
paijat-hame = PH + RCS: received 9; FR 5/4: 55.6; minutes 60 120 180 240 480 540 600: median
240, p90 at 5.4: 564. RES 3/5: 37.5, minutes as PH's.
lahti = LES: 1 received, 1 resolved, 100.0 and 100.0, FR 30, RES 480.
Total: received 10, resolved 5; FR 6/4: 60.0, minutes 30 60 120 180 240 480 540 600: median
210, p90 at 6.3: 558. RES 4/5: 44.4, minutes 240 480 720 900 1200: median 720, p90 at 3.6: 1080.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.domain.business_calendar import HELSINKI
from desk.models import Case
from desk.services import cases, sla
from tests.conftest import raw_submission

PERIOD = (date(2026, 3, 1), date(2026, 4, 30))
PH = "paijat-hame-employer-services"
LES = "lahti-employer-services"
RCS = "regional-change-security"
TEAMS = (
    LES,
    PH,
    RCS,
    "regional-intake",
    "regional-international",
)


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


NOW = hki(2026, 6, 1, 12)


def _status(session: Session, case: Case, status: str, now: datetime) -> None:
    case.status = status
    sla.sync_with_status(session, case, now)
    session.commit()


def _reply(session: Session, case: Case, now: datetime) -> None:
    if case.status == "new":
        _status(session, case, "open", now)
    sla.first_response_given(session, case, now)
    session.commit()


def _case(session: Session, received: datetime, **changes: str) -> Case:
    changes.setdefault("need", "job-ad")
    return cases.submit_case(session, raw_submission(**changes), now=received)


def build(session: Session) -> None:
    """Create cases A..M of the docstring."""
    a = _case(session, hki(2026, 4, 2, 8))
    _reply(session, a, hki(2026, 4, 2, 16))
    _status(session, a, "resolved", hki(2026, 4, 7, 12))

    b = _case(session, hki(2026, 3, 27, 12))
    _reply(session, b, hki(2026, 3, 30, 14))
    _status(session, b, "resolved", hki(2026, 3, 31, 16))

    c = _case(session, hki(2026, 3, 2, 8))
    _reply(session, c, hki(2026, 3, 2, 10))
    _status(session, c, "waiting", hki(2026, 3, 2, 10))
    _status(session, c, "open", hki(2026, 3, 5, 8))
    _status(session, c, "resolved", hki(2026, 3, 6, 13))

    d = _case(session, hki(2026, 3, 10, 8))
    _reply(session, d, hki(2026, 3, 10, 9))
    _status(session, d, "waiting", hki(2026, 3, 10, 9))

    e = _case(session, hki(2026, 3, 16, 8))
    _status(session, e, "waiting", hki(2026, 3, 19, 10))

    f = _case(session, hki(2026, 2, 27, 14))
    _reply(session, f, hki(2026, 3, 2, 15))

    _case(session, hki(2026, 4, 30, 23, 30))  # G
    _case(session, hki(2026, 5, 1, 0, 30))  # H
    _case(session, hki(2026, 3, 1, 0, 30))  # I

    k = _case(
        session,
        hki(2026, 4, 13, 8),
        need="change-security",
        municipality="398",
        affected_employees="20",
    )
    assert k.team.slug == RCS
    # Routing stores the team's authority on the case; give it the employer's municipality's
    # (as a case of the history import may have) to show the report reads the team's host.
    k.authority_slug = "lahti"
    session.commit()
    _reply(session, k, hki(2026, 4, 13, 11))

    lahti = _case(session, hki(2026, 3, 23, 8), municipality="398")
    assert lahti.team.slug == LES
    _reply(session, lahti, hki(2026, 3, 23, 8, 30))
    _status(session, lahti, "resolved", hki(2026, 3, 24, 8))

    m = _case(session, hki(2026, 4, 20, 8))
    _reply(session, m, hki(2026, 4, 20, 12))
    _status(session, m, "waiting", hki(2026, 4, 20, 12))
    _status(session, m, "resolved", hki(2026, 4, 27, 10))


def figures(
    received: int,
    resolved: int,
    first: tuple[int, int, float | None],
    resolution: tuple[int, int, float | None],
    first_minutes: tuple[float | None, float | None],
    resolution_minutes: tuple[float | None, float | None],
) -> dict[str, Any]:
    """The contract's object of measures."""
    return {
        "received": received,
        "resolved": resolved,
        "first_response": dict(zip(("met", "breached", "compliance"), first, strict=True)),
        "resolution": dict(zip(("met", "breached", "compliance"), resolution, strict=True)),
        "first_response_minutes": dict(zip(("median", "p90"), first_minutes, strict=True)),
        "resolution_minutes": dict(zip(("median", "p90"), resolution_minutes, strict=True)),
    }


ZERO = figures(0, 0, (0, 0, None), (0, 0, None), (None, None), (None, None))
LAHTI = figures(1, 1, (1, 0, 100.0), (1, 0, 100.0), (30.0, 30.0), (480.0, 480.0))
PAIJAT_HAME = figures(9, 4, (5, 4, 55.6), (3, 5, 37.5), (240.0, 564.0), (810.0, 1110.0))
EXPECTED: dict[str, Any] = {
    "period": {"from": "2026-03-01", "to": "2026-04-30"},
    "total": figures(10, 5, (6, 4, 60.0), (4, 5, 44.4), (210.0, 558.0), (720.0, 1080.0)),
    "authorities": {"lahti": LAHTI, "paijat-hame": PAIJAT_HAME},
    "teams": {
        LES: LAHTI,
        PH: figures(8, 4, (4, 4, 50.0), (3, 4, 42.9), (360.0, 570.0), (810.0, 1110.0)),
        RCS: figures(1, 0, (1, 0, 100.0), (0, 1, 0.0), (180.0, 180.0), (None, None)),
        "regional-intake": ZERO,
        "regional-international": ZERO,
    },
}
