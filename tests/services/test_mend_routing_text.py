"""The routing reason remade in the reader's language from the rule and the case's facts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk.services import cases, transfers
from desk.services.routing_text import routing_text
from tests.conftest import raw_submission
from tests.support.actors import as_staff


def test_the_reason_in_each_language_and_the_stored_one_for_the_employer(
    session: Session,
) -> None:
    case = cases.submit_case(session, raw_submission(language="sv", municipality="Lahtis"))
    stored = case.routing_reason
    assert routing_text(session, case, "sv").reason == stored
    english = routing_text(session, case, "en")
    assert english.reason == (
        "Routed to Lahti Employment Services, Lahti employer services, because the workplace "
        "is in Lahti (398)."
    )
    assert english.rule is not None and english.rule.id == "lahti"
    assert "Lahden työnantajapalvelut" in routing_text(session, case, "fi").reason
    assert case.routing_reason == stored  # nothing rewritten


def test_a_transfer_reason_in_the_readers_language(session: Session, make_user) -> None:
    case = cases.submit_case(session, raw_submission(language="fi"))
    adviser = make_user("ph@example.fi")
    transfers.transfer(
        session, as_staff(adviser), case.id, "lahti-employer-services", "Toimipaikka Lahdessa"
    )
    text = routing_text(session, case, "en")
    assert text.transferred and text.rule is None
    assert text.reason == (
        "Transferred to Lahti Employment Services, Lahti employer services. "
        "Reason: Toimipaikka Lahdessa"
    )


def test_old_rows_without_facts_keep_their_sentence(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(language="fi"))
    for event in case.events:
        if event.kind == "routed":
            event.data = {k: v for k, v in event.data.items() if k != "rule_version"}
    case.routing_reason = "Vanha lause."
    session.flush()
    assert routing_text(session, case, "sv").reason == "Vanha lause."
