"""Merging a duplicate (messages moved, one email, clocks stopped, refusals) and linking
related cases (symmetric, both visible). On SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, CaseLink, CaseSlaTarget, OutboxMessage
from desk.services import case_links, cases, merge
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.notify.emails import email_for
from tests.conftest import raw_submission
from tests.support.actors import as_staff

SENT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def ph_adviser(make_user):
    return make_user("ph@example.fi")


@pytest.fixture
def lahti_adviser(make_user):
    return make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))


def outbox_kinds(session: Session, case: Case) -> list[str]:
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [row.kind for row in rows if row.payload.get("case_id") == case.id]


def two_cases(session: Session, **target_changes: str) -> tuple[Case, Case]:
    target = cases.submit_case(session, raw_submission(**target_changes), now=SENT)
    duplicate = cases.submit_case(
        session, raw_submission(language="sv", description="Samma sak igen"), now=SENT
    )
    return duplicate, target


def test_merge_moves_messages_closes_the_duplicate_and_sends_one_email(
    session: Session, ph_adviser
) -> None:
    duplicate, target = two_cases(session)
    actor = as_staff(ph_adviser)
    cases.reply(session, actor, duplicate.id, "Vi tittar på det")
    cases.add_note(session, actor, duplicate.id, "Same as the other one")
    before = outbox_kinds(session, duplicate)

    merge.merge(session, actor, duplicate.id, target.reference.lower())

    session.expire_all()
    dup, tgt = session.get(Case, duplicate.id), session.get(Case, target.id)
    assert dup.merged_into_id == tgt.id and dup.status == "closed" and dup.closed_at
    assert dup.resolution_category == "duplicate"  # how it was resolved, for the reports
    assert dup.messages == []
    bodies = [(m.body, m.visibility) for m in tgt.messages]
    # Same contact email: the employer's and the desk's public words stay public.
    assert sorted(bodies) == [
        ("Same as the other one", "internal"),
        ("Samma sak igen", "public"),
        ("Vi tittar på det", "public"),
    ]
    assert [e.kind for e in dup.events][-1] == "merged_into"
    assert dup.events[-1].data["target"] == tgt.reference
    assert tgt.events[-1].kind == "merged_from" and tgt.events[-1].data["source"] == dup.reference
    # Exactly one new email about the duplicate: the merge notice (no "resolved"/"closed").
    assert outbox_kinds(session, duplicate)[len(before) :] == ["email.case_merged"]
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.case_merged")
    ).one()
    spec = email_for(session, row, "http://desk.test")
    assert (spec.to, spec.language, spec.template) == ("teija@example.fi", "sv", "case_merged")
    assert spec.context["target_reference"] == tgt.reference
    # The duplicate's clocks stopped; the target's keep running.
    dup_targets = session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == dup.id))
    assert all(t.running_since is None for t in dup_targets) and dup.sla_next_check_at is None
    assert tgt.sla_next_check_at is not None
    # The merged reference still resolves, to the target.
    assert merge.staff_redirect(session, actor, dup).id == tgt.id
    assert merge.employer_target(session, dup).id == tgt.id


def test_another_employers_words_are_moved_as_internal_and_not_named(
    session: Session, ph_adviser
) -> None:
    duplicate, target = two_cases(session, email="other@example.fi")
    merge.merge(session, as_staff(ph_adviser), duplicate.id, target.reference)
    session.expire_all()
    tgt = session.get(Case, target.id)
    assert {m.visibility for m in tgt.messages} == {"internal"}
    assert merge.employer_target(session, session.get(Case, duplicate.id)) is None
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email.case_merged")
    ).one()
    assert email_for(session, row, "http://desk.test").context["target_reference"] == ""


def test_merge_refusals(session: Session, ph_adviser, lahti_adviser, make_user) -> None:
    duplicate, target = two_cases(session)
    actor = as_staff(ph_adviser)
    with pytest.raises(Conflict) as self_merge:
        merge.merge(session, actor, duplicate.id, duplicate.reference)
    assert self_merge.value.code == "self"
    with pytest.raises(ValueError):
        merge.merge(session, actor, duplicate.id, "  ")
    with pytest.raises(NotFound):
        merge.merge(session, actor, duplicate.id, "TP-2000-999999")
    # A Lahti case: not visible to the Päijät-Häme adviser (404), nor they to the Lahti one.
    lahti_case = cases.submit_case(session, raw_submission(municipality="398"), now=SENT)
    with pytest.raises(NotFound):
        merge.merge(session, actor, duplicate.id, lahti_case.reference)
    with pytest.raises(NotFound):
        merge.merge(session, as_staff(lahti_adviser), duplicate.id, lahti_case.reference)
    # A manager may view both but not work on them.
    manager = make_user("m@example.fi", role="manager", teams=())
    with pytest.raises(Forbidden):
        merge.merge(session, as_staff(manager), duplicate.id, target.reference)
    # Into a closed case.
    closed = cases.submit_case(session, raw_submission(), now=SENT)
    cases.change_status(session, actor, closed.id, "resolved")
    cases.change_status(session, actor, closed.id, "closed")
    with pytest.raises(Conflict) as into_closed:
        merge.merge(session, actor, duplicate.id, closed.reference)
    assert into_closed.value.code == "target_closed"
    # No chains: a merged case is neither merged again nor a target.
    merge.merge(session, actor, duplicate.id, target.reference)
    with pytest.raises(Conflict) as again:
        merge.merge(session, actor, duplicate.id, target.reference)
    assert again.value.code == "already_merged"
    third = cases.submit_case(session, raw_submission(), now=SENT)
    with pytest.raises(Conflict) as into_merged:
        merge.merge(session, actor, third.id, duplicate.reference)
    assert into_merged.value.code == "target_merged"


def test_merging_a_merge_target_repoints_its_duplicates(session: Session, ph_adviser) -> None:
    first, second = two_cases(session)
    third = cases.submit_case(session, raw_submission(), now=SENT)
    actor = as_staff(ph_adviser)
    merge.merge(session, actor, first.id, second.reference)
    merge.merge(session, actor, second.id, third.reference)
    session.expire_all()
    assert session.get(Case, first.id).merged_into_id == third.id  # one hop, never a chain


def test_links_are_symmetric_unique_and_need_both_cases_visible(
    session: Session, ph_adviser, lahti_adviser
) -> None:
    one, other = two_cases(session)
    actor = as_staff(ph_adviser)
    link = case_links.link(session, actor, other.id, one.reference)
    assert (link.case_low_id, link.case_high_id) == (
        min(one.id, other.id),
        max(one.id, other.id),
    )
    for case, seen in ((one, other), (other, one)):
        views = case_links.links_of(session, actor, case)
        assert [(v.reference, v.may_unlink) for v in views] == [(seen.reference, True)]
    assert session.get(Case, one.id).events[-1].kind == "linked"
    with pytest.raises(Conflict) as twice:
        case_links.link(session, actor, one.id, other.reference)
    assert twice.value.code == "exists"
    with pytest.raises(Conflict) as itself:
        case_links.link(session, actor, one.id, one.reference)
    assert itself.value.code == "self"
    lahti_case = cases.submit_case(session, raw_submission(municipality="398"), now=SENT)
    with pytest.raises(NotFound):
        case_links.link(session, actor, one.id, lahti_case.reference)
    # A link to a case the reader may not open shows no reference.
    admin_link = case_links.link(session, _admin(session), lahti_case.id, one.reference)
    views = case_links.links_of(session, actor, one)
    hidden = next(v for v in views if v.id == admin_link.id)
    assert (hidden.reference, hidden.may_unlink) == (None, False)
    with pytest.raises(Forbidden):
        case_links.unlink(session, actor, one.id, admin_link.id)
    case_links.unlink(session, actor, one.id, link.id)
    assert session.scalar(select(CaseLink).where(CaseLink.id == link.id)) is None
    assert [v.id for v in case_links.links_of(session, actor, other)] == []


def _admin(session: Session):
    from desk.services import users

    user = users.upsert_user(
        session,
        email="admin@example.fi",
        name="Admin",
        password="x" * 12,
        role="admin",
        authority="lahti",
        teams=[],
        languages=["fi"],
    )
    session.commit()
    return as_staff(user)
