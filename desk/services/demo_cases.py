"""Demo cases for development: near and past their SLA targets, made through the services.

Submission times are set back in business time on the case authority's calendar, so the
first sweep after `make run` (within a minute) sends warnings, breaches and an escalation to
the demo staff, whatever the time of day the desk is started. Created once: a second run
finds them and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.business_calendar import BusinessCalendar
from desk.domain.intake import RawSubmission
from desk.models import Case, Team, User, utcnow
from desk.services import assignment, canned, cases
from desk.services.access import Actor, Channel
from desk.services.sla_policies import load_calendars

DEMO_EMAIL_DOMAIN = "demo.example.fi"
LAHTI_ADVISER = "adviser.lahti@desk.invalid"
PAIJAT_HAME_ADVISER = "adviser.paijat-hame@desk.invalid"


@dataclass(frozen=True)
class DemoCase:
    """A request and what staff have done with it; `ago` is business minutes before now."""

    ago: int
    municipality: str
    need: str
    organisation: str
    description: str
    business_id: str
    language: str = "fi"
    affected: str = ""
    claim_by: str | None = None
    reply: str | None = None
    wait: bool = False


DEMO_CASES = (
    # First response at about 80 %: a warning to the Lahti team at the first sweep.
    DemoCase(
        390,
        "398",
        "recruitment",
        "Demo: Lahden Kone Oy",
        "We need five CNC machinists for the spring. Can you pre-screen candidates?",
        "0737546-2",
    ),
    # First response at about 94 %: a warning now, the breach 30 business minutes later.
    DemoCase(
        450,
        "781",
        "work-trial",
        "Demo: Sysmän Puutyö Oy",
        "Could we host a work trial for two people in our carpentry workshop?",
        "1572860-0",
        language="sv",
    ),
    # Change security, 4 business hours to first response, claimed but unanswered: breached.
    DemoCase(
        300,
        "560",
        "change-security",
        "Demo: Orimattilan Valimo Oy",
        "We must lay off six employees temporarily from next month. What do we need to do?",
        "0112038-9",
        affected="6",
        claim_by=PAIJAT_HAME_ADVISER,
    ),
    # A job ad answered late and not resolved in 2 + 1 business days: breach and escalation.
    DemoCase(
        1500,
        "111",
        "job-ad",
        "Demo: Heinolan Kahvila Ky",
        "Please help us publish a job ad for a summer barista.",
        "2089407-2",
        claim_by=PAIJAT_HAME_ADVISER,
        reply="Hello! Could you send us the wording of the ad and the start date?",
    ),
    # Waiting for the employer: both clocks paused.
    DemoCase(
        120,
        "098",
        "pay-subsidy",
        "Demo: Hollolan Hoiva Oy",
        "We would like to hire a practical nurse with pay subsidy from March.",
        "2543386-5",
        claim_by=PAIJAT_HAME_ADVISER,
        reply="Thank you! Which date would the employment start, and is it full-time?",
        wait=True,
    ),
    # The same request sent twice by mistake: the second is a duplicate to merge.
    DemoCase(
        370,
        "398",
        "recruitment",
        "Demo: Lahden Kone Oy",
        "Sent again: we need five CNC machinists for the spring (pre-screening, please).",
        "0737546-2",
    ),
    # Fresh and on track.
    DemoCase(
        30,
        "398",
        "apprenticeship",
        "Demo: Lahden Sähkö Oy",
        "We want to train an electrician through an apprenticeship.",
        "2331972-7",
        language="en",
        claim_by=LAHTI_ADVISER,
    ),
)


def demo_cases_exist(session: Session) -> bool:
    """True when the demo cases were created already."""
    stmt = select(Case.id).where(Case.email.like(f"%@{DEMO_EMAIL_DOMAIN}")).limit(1)
    return session.scalar(stmt) is not None


def _user(session: Session, email: str | None) -> User | None:
    return session.scalar(select(User).where(User.email == email)) if email else None


def create_demo_cases(session: Session, now: datetime | None = None) -> list[str]:
    """Create the demo cases unless they exist; returns their references."""
    if demo_cases_exist(session):
        return []
    now = now or utcnow()
    calendars = load_calendars(session)
    session.commit()
    created = []
    for index, demo in enumerate(DEMO_CASES, start=1):
        raw = RawSubmission(
            business_id=demo.business_id,
            organisation_name=demo.organisation,
            contact_name="Demo Employer",
            email=f"employer{index}@{DEMO_EMAIL_DOMAIN}",
            phone="",
            municipality=demo.municipality,
            municipality_other="",
            need=demo.need,
            affected_employees=demo.affected,
            description=demo.description,
            language=demo.language,
        )
        # Routing decides the authority; both demo authorities keep the same default hours,
        # and the submission time is found on the calendar of the case it makes.
        submitted = _submitted_at(calendars.for_authority(_authority(demo)), now, demo.ago)
        case = cases.submit_case(session, raw, now=submitted)
        user = _user(session, demo.claim_by)
        if user is not None:
            adviser = Actor.staff(user, Channel.CLI)
            if case.assignee_id not in (None, user.id):  # placed with someone else already
                assignment.assign_case(session, adviser, case.id, user.id)
            cases.claim(session, adviser, case.id)
            if demo.reply and demo.wait:  # a question: one message, one email, it waits
                cases.ask_employer(session, adviser, case.id, demo.reply)
            elif demo.reply:
                cases.reply(session, adviser, case.id, demo.reply)
            elif demo.wait:
                cases.change_status(session, adviser, case.id, "waiting")
        created.append(case.reference)
    _create_demo_canned_responses(session)
    return created


# A canned answer per employer-services team, in the three languages, with placeholders.
DEMO_CANNED = {
    "title_fi": "Lisätietoja tarvitaan",
    "body_fi": (
        "Hei {contact_name},\n\nkiitos palvelupyynnöstä {reference}. Jotta voimme auttaa "
        "{employer_name}, tarvitsemme vielä työn alkamispäivän ja työajan.\n\n"
        "Ystävällisin terveisin\n{adviser_name}"
    ),
    "title_sv": "Mer information behövs",
    "body_sv": (
        "Hej {contact_name},\n\ntack för er förfrågan {reference}. För att kunna hjälpa "
        "{employer_name} behöver vi ännu veta när arbetet börjar och arbetstiden.\n\n"
        "Med vänliga hälsningar\n{adviser_name}"
    ),
    "title_en": "More information needed",
    "body_en": (
        "Hello {contact_name},\n\nthank you for your request {reference}. To help "
        "{employer_name}, we still need the start date and the working hours.\n\n"
        "Kind regards\n{adviser_name}"
    ),
}


def _create_demo_canned_responses(session: Session) -> None:
    admin = session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if admin is None:
        return
    actor = Actor.staff(admin, Channel.CLI)
    for slug in ("lahti-employer-services", "paijat-hame-employer-services"):
        if session.scalar(select(Team.id).where(Team.slug == slug)) is not None:
            canned.save(session, actor, slug, DEMO_CANNED)


def _authority(demo: DemoCase) -> str:
    return "lahti" if demo.municipality == "398" else "paijat-hame"


def _submitted_at(calendar: BusinessCalendar, now: datetime, ago: int) -> datetime:
    return calendar.subtract_business_time(now, timedelta(minutes=ago))
