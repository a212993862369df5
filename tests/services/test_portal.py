"""The employer portal's rules: hashed case tokens, the magic link (single use, 15 minutes,
a few per address), organisations and who sees which case, removal, reply and cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import Kind
from desk.models import Case, CaseEvent, Contact, Organisation, OutboxMessage, SignInToken, utcnow
from desk.services import case_tokens, cases, organisations, portal_cases, signed_links
from desk.services.access import EmployerPrincipal, employer_can_view, employer_cases_condition
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.identity.magic_link import LIFETIME, PER_ADDRESS, MagicLinkProvider
from desk.services.identity.provider import SignInFailed, VerifiedIdentity
from tests.conftest import raw_submission

SECRET = "portal-test-secret"
OTHER_ORG = "0737546-2"


def provider() -> MagicLinkProvider:
    return MagicLinkProvider(secret=SECRET)


def sign_in_rows(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == Kind.PORTAL_SIGN_IN.value)
            .order_by(OutboxMessage.id)
        )
    )


def link_token(row: OutboxMessage) -> str:
    """The token the email of a queued sign-in row would carry (the builder signs it)."""
    return signed_links.sign_in_token(SECRET, int(row.payload["sign_in_id"]))


def signed_in(session: Session, email: str) -> EmployerPrincipal:
    contact = organisations.sign_in(session, VerifiedIdentity(email, "test"))
    return organisations.principal(session, contact.id, frozenset())


# --- case tokens -------------------------------------------------------------------------


def test_the_case_token_is_stored_only_as_its_hash(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    raw = case.raw_token
    assert raw is not None
    stored = session.execute(
        select(Case.employer_token_hash).where(Case.id == case.id)
    ).scalar_one()
    assert stored == case_tokens.hash_token(raw) and raw not in stored
    session.expunge_all()  # a fresh read knows no raw token
    again = session.get(Case, case.id)
    assert again is not None and again.raw_token is None
    assert case_tokens.lookup(session, raw) == again
    assert case_tokens.lookup(session, stored) is None  # the hash is not a key
    assert case_tokens.lookup(session, "") is None


def test_a_signed_link_opens_the_case_only_for_its_address(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    signed = signed_links.employer_case_token(SECRET, case.id, case.email)
    assert case_tokens.case_for_link(session, SECRET, signed) == case
    with pytest.raises(NotFound):
        case_tokens.case_for_link(session, "another-secret", signed)
    forged = signed_links.employer_case_token(SECRET, case.id, "someone@else.fi")
    with pytest.raises(NotFound):
        case_tokens.case_for_link(session, SECRET, forged)
    # Another purpose's token (the survey's) never opens a case.
    with pytest.raises(NotFound):
        case_tokens.case_for_link(session, SECRET, signed_links.survey_token(SECRET, case.id))


# --- organisations and contacts ----------------------------------------------------------


def test_a_submission_links_the_organisation_and_an_unverified_contact(session: Session) -> None:
    first = cases.submit_case(session, raw_submission(email="Teija@Example.fi"))
    second = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    organisation = session.scalars(select(Organisation)).one()
    contact = session.scalars(select(Contact)).one()
    assert (organisation.business_id, organisation.name) == ("0112038-9", "Orimattilan Metalli Oy")
    assert contact.email == "teija@example.fi" and contact.verified_at is None
    assert contact.organisation_id == organisation.id and not contact.is_org_admin
    assert {first.organisation_id, second.organisation_id} == {organisation.id}
    assert {first.contact_id, second.contact_id} == {contact.id}


def test_the_first_contact_to_sign_in_becomes_the_admin(session: Session) -> None:
    cases.submit_case(session, raw_submission(email="teija@example.fi"))
    cases.submit_case(session, raw_submission(email="pekka@example.fi"))
    teija = signed_in(session, "teija@example.fi")
    pekka = signed_in(session, "Pekka@example.fi")
    assert teija.is_org_admin and not pekka.is_org_admin
    assert teija.organisation_id == pekka.organisation_id is not None


def test_who_sees_which_case(session: Session) -> None:
    teija_case = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    pekka_case = cases.submit_case(session, raw_submission(email="pekka@example.fi"))
    other_case = cases.submit_case(
        session, raw_submission(business_id=OTHER_ORG, email="olli@other.fi")
    )
    teija = signed_in(session, "teija@example.fi")  # the admin: every case of the org
    pekka = signed_in(session, "pekka@example.fi")  # a contact: their own
    olli = signed_in(session, "olli@other.fi")
    for who, seen in (
        (teija, {teija_case.id, pekka_case.id}),
        (pekka, {pekka_case.id}),
        (olli, {other_case.id}),
    ):
        listed = {row.case.id for row in portal_cases.list_cases(session, who).rows}
        assert listed == seen
        for case in (teija_case, pekka_case, other_case):
            # The SQL twin and the rule agree on every case.
            assert employer_can_view(who, case) is (case.id in seen)
            in_sql = session.scalar(
                select(Case.id).where(Case.id == case.id, employer_cases_condition(who))
            )
            assert (in_sql is not None) is (case.id in seen)
    # By reference: another organisation's case is not found (its existence not revealed).
    with pytest.raises(NotFound):
        portal_cases.case_for(session, olli, teija_case.reference)
    with pytest.raises(NotFound):
        portal_cases.case_for(session, pekka, teija_case.reference)
    assert portal_cases.case_for(session, teija, pekka_case.reference.lower()) == pekka_case
    assert not employer_can_view(EmployerPrincipal(), teija_case)  # nobody


def test_a_grant_from_a_private_link_shows_that_case_only(session: Session) -> None:
    mine = cases.submit_case(session, raw_submission())
    other = cases.submit_case(session, raw_submission(business_id=OTHER_ORG, email="o@o.fi"))
    holder = EmployerPrincipal(grants=frozenset({mine.id}))
    assert employer_can_view(holder, mine) and not employer_can_view(holder, other)
    rows = portal_cases.list_cases(session, holder).rows
    assert [row.case.id for row in rows] == [mine.id]


def test_the_cases_sent_before_signing_up_are_theirs(session: Session) -> None:
    earlier = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    session.execute(Case.__table__.update().values(contact_id=None))  # as before the portal
    session.commit()
    teija = signed_in(session, "teija@example.fi")
    assert [row.case.id for row in portal_cases.list_cases(session, teija).rows] == [earlier.id]


def test_a_removed_contact_loses_access_at_once(session: Session) -> None:
    cases.submit_case(session, raw_submission(email="teija@example.fi"))
    pekka_case = cases.submit_case(session, raw_submission(email="pekka@example.fi"))
    teija = signed_in(session, "teija@example.fi")
    pekka = signed_in(session, "pekka@example.fi")
    assert employer_can_view(pekka, pekka_case)
    assert pekka.contact_id is not None
    with pytest.raises(Forbidden):
        organisations.remove(session, pekka, teija.contact_id or 0)  # not the admin
    organisations.remove(session, teija, pekka.contact_id)
    # The next request reads the principal afresh: nothing through the account any more.
    after = organisations.principal(session, pekka.contact_id, frozenset())
    assert not after.signed_in and not employer_can_view(after, pekka_case)
    assert portal_cases.list_cases(session, after).rows == []
    with pytest.raises(NotFound):
        organisations.sign_in(session, VerifiedIdentity("pekka@example.fi", "test"))
    with pytest.raises(Conflict):
        organisations.remove(session, teija, teija.contact_id or 0)
    other = cases.submit_case(session, raw_submission(business_id=OTHER_ORG, email="o@o.fi"))
    with pytest.raises(NotFound):  # another organisation's contact cannot be removed
        organisations.remove(session, teija, other.contact_id or 0)


def test_the_admin_invites_a_colleague(session: Session) -> None:
    cases.submit_case(session, raw_submission(email="teija@example.fi"))
    teija = signed_in(session, "teija@example.fi")
    organisations.invite(session, teija, " Maija@Example.fi ", "sv")
    maija = session.scalars(select(Contact).where(Contact.email == "maija@example.fi")).one()
    assert maija.organisation_id == teija.organisation_id and maija.verified_at is None
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == Kind.PORTAL_INVITATION.value)
    ).one()
    assert row.payload["language"] == "sv"
    identity = provider().complete(session, link_token(row))
    assert identity.email == "maija@example.fi"
    assert [c.email for c in organisations.colleagues(session, teija)] == [
        "teija@example.fi",
        "maija@example.fi",
    ]
    other = cases.submit_case(session, raw_submission(business_id=OTHER_ORG, email="o@o.fi"))
    with pytest.raises(Conflict):  # another organisation's contact is not taken over
        organisations.invite(session, teija, other.email, "fi")
    with pytest.raises(ValueError, match="invalid"):
        organisations.invite(session, teija, "not an address", "fi")


def test_staff_name_an_admin(session: Session) -> None:
    cases.submit_case(session, raw_submission(email="pekka@example.fi"))
    assert organisations.make_admin(session, "PEKKA@example.fi").is_org_admin
    with pytest.raises(NotFound):
        organisations.make_admin(session, "nobody@example.fi")


# --- the magic link ------------------------------------------------------------------------


def test_a_link_goes_only_to_a_known_address(session: Session) -> None:
    cases.submit_case(session, raw_submission(email="teija@example.fi"))
    provider().start(session, "nobody@example.fi", "fi")
    assert sign_in_rows(session) == []  # unknown: nothing sent (the page says the same)
    provider().start(session, " TEIJA@example.fi", "en")
    (row,) = sign_in_rows(session)
    assert row.payload["language"] == "en"
    sign_in = session.get(SignInToken, row.payload["sign_in_id"])
    assert sign_in is not None and sign_in.email == "teija@example.fi"
    assert sign_in.expires_at - sign_in.created_at == timedelta(minutes=15) == LIFETIME


def test_a_link_works_once(session: Session) -> None:
    cases.submit_case(session, raw_submission())
    provider().start(session, "teija@example.fi", "fi")
    token = link_token(sign_in_rows(session)[0])
    assert provider().complete(session, token).email == "teija@example.fi"
    with pytest.raises(SignInFailed) as used:
        provider().complete(session, token)
    assert used.value.code == "used"


def test_a_link_expires_after_15_minutes(session: Session) -> None:
    cases.submit_case(session, raw_submission())
    now = utcnow()
    provider().start(session, "teija@example.fi", "fi", now=now)
    token = link_token(sign_in_rows(session)[0])
    with pytest.raises(SignInFailed) as late:
        provider().complete(session, token, now=now + timedelta(minutes=15, seconds=1))
    assert late.value.code == "expired"
    # Still unused: within the window it works.
    assert provider().complete(session, token, now=now + timedelta(minutes=14)).email


def test_forged_and_foreign_tokens_fail(session: Session) -> None:
    for token in ("", "x" * 40, signed_links.sign_in_token("other-secret", 1)):
        with pytest.raises(SignInFailed):
            provider().complete(session, token)


def test_links_per_address_are_limited(session: Session) -> None:
    cases.submit_case(session, raw_submission())
    now = utcnow()
    for _ in range(PER_ADDRESS + 2):
        provider().start(session, "teija@example.fi", "fi", now=now)
    assert len(sign_in_rows(session)) == PER_ADDRESS
    provider().start(session, "teija@example.fi", "fi", now=now + LIFETIME + timedelta(seconds=1))
    assert len(sign_in_rows(session)) == PER_ADDRESS + 1


# --- reply and cancel ---------------------------------------------------------------------


def test_reply_takes_the_case(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    message = cases.employer_reply(session, case, "Mornings, please.")
    assert message.case_id == case.id and message.author_kind == "employer"


def test_the_employer_cancels_with_a_reason(session: Session, make_user: Any) -> None:
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(ValueError, match="required"):
        cases.cancel_by_employer(session, case, "  ")
    session.rollback()
    cases.cancel_by_employer(session, case, "We found someone already.")
    assert (case.status, case.resolution_category) == ("closed", "withdrawn")
    assert case.closed_at is not None
    assert case.messages[-1].body == "We found someone already."
    kinds = [e.kind for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    assert kinds[-1] == "cancelled_by_employer"
    # The handlers hear of it (the "employer replied" notice quotes the reason); no outcome
    # email goes to the employer.
    queued = [row.kind for row in session.scalars(select(OutboxMessage))]
    assert "email.case_resolved" not in queued and "email.case_closed" not in queued
    with pytest.raises(Conflict):
        cases.cancel_by_employer(session, case, "Again.")


def test_a_chosen_language_is_used_for_emails(session: Session) -> None:
    from desk.services.notify.emails import email_for

    case = cases.submit_case(session, raw_submission(language="fi"))
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == Kind.CASE_RECEIVED.value)
    ).one()
    assert email_for(session, row, "http://desk.test").language == "fi"  # not chosen yet
    teija = signed_in(session, case.email)
    assert teija.contact_id is not None
    organisations.set_language(session, teija.contact_id, "en")
    assert email_for(session, row, "http://desk.test").language == "en"
