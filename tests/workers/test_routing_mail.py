"""Routing mail through the real worker: the employer hears of a transfer in their language,
and a key-account adviser hears that they follow a case another team handles."""

from __future__ import annotations

from typing import Any

from desk.services import cases, key_accounts, transfers, users
from desk.services.mailcatcher import start_catcher
from tests.conftest import PASSWORD, raw_submission
from tests.support.actors import as_staff
from tests.support.employer_links import names_case

# The worker fixtures (a real Celery worker over the embedded broker and Redis, a real app).
from tests.workers.test_delivery import broker, desk, received, wait_for  # noqa: F401


def _staff(session: Any, email: str, role: str, teams: list[str], language: str) -> Any:
    user = users.upsert_user(
        session,
        email=email,
        name=email.split("@")[0].title(),
        password=PASSWORD,
        role=role,
        authority="paijat-hame",
        teams=teams,
        languages=[language],
    )
    session.commit()
    return user


def test_transfer_and_follower_mail_travel_through_the_worker(desk: dict[str, Any]) -> None:  # noqa: F811
    with desk["app"].extensions["desk.sessions"]() as session:
        admin = _staff(session, "admin@example.fi", "admin", [], "fi")
        adviser = _staff(
            session, "ph@example.fi", "adviser", ["paijat-hame-employer-services"], "fi"
        )
        ka = _staff(session, "ka@example.fi", "adviser", ["regional-intake"], "en")
        key_accounts.name_key_account(session, as_staff(admin), "0112038-9", ka.id)
        case = cases.submit_case(
            session, raw_submission(language="sv", municipality="Itis", email="sara@example.fi")
        )
        transfers.transfer(
            session,
            as_staff(adviser),
            case.id,
            "lahti-employer-services",
            "Arbetsplatsen ligger i Lahtis",
        )
    catcher = start_catcher(desk["mail"], port=desk["smtp_port"])
    try:
        desk["celery"].send_task("desk.relay_outbox")

        def wanted() -> list[Any]:
            # The desk sends more (staff notifications); these three are the routing ones.
            mails = received(desk["mail"])
            to = [m["To"] for m in mails]
            return to.count("sara@example.fi") >= 2 and "ka@example.fi" in to and mails

        messages = wait_for(wanted)
    finally:
        catcher.stop()
    by_to = {}
    for message in messages:
        by_to.setdefault(message["To"], []).append(message)
    to_employer = {m["Subject"]: m for m in by_to["sara@example.fi"]}
    transferred = next(
        m for s, m in to_employer.items() if "överf" in s.lower() or "transf" in s.lower()
    )
    assert transferred["Content-Language"] == "sv"
    text = transferred.get_body(preferencelist=("plain",)).get_content()
    assert "Arbetsplatsen ligger i Lahtis" in text
    assert "Lahtis arbetsgivartjänster" in text
    assert names_case(desk["app"].config["SECRET_KEY"], text, case)
    # The key-account adviser also hears of the case's events as a follower; this is the
    # email telling them they follow it.
    (followed,) = [
        m
        for m in by_to["ka@example.fi"]
        if "key-account adviser" in m.get_body(preferencelist=("plain",)).get_content()
    ]
    assert followed["Content-Language"] == "en"
    assert case.reference in followed["Subject"]
    body = followed.get_body(preferencelist=("plain",)).get_content()
    assert "key-account adviser" in body and "0112038-9" in body
    assert f"http://desk.test/staff/cases/{case.reference}" in body
