"""The staff case page, assembled in one place: the case and everything shown beside it.

Every view that shows the page (the page itself, and an action that must show it again with
its errors) gets it from staff_case_page, so the page never misses a panel on one path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from desk.domain.business_calendar import HELSINKI
from desk.domain.case_status import CaseStatus, next_statuses
from desk.domain.case_work import ResolutionCategory
from desk.domain.reference_data import Municipality, Need
from desk.models import (
    CannedResponse,
    Case,
    CaseCollaborator,
    CaseFollower,
    InboundMessage,
    OutboxMessage,
    Team,
    User,
)
from desk.services import canned, case_links, case_work, collaboration, merge, sla, transfers
from desk.services.access import Actor, can_note, can_work
from desk.services.inbound import review as inbound_review
from desk.services.notify import operations
from desk.services.reference_data import snapshot
from desk.services.sla import TargetView


@dataclass(frozen=True)
class StaffCasePage:
    """What the staff case page shows of one case to one staff member."""

    case: Case
    can_work: bool  # claim, reply, status, transfer, collaborating team
    can_note: bool  # internal notes: also a collaborating team's members
    next_statuses: list[CaseStatus]
    sla_targets: list[TargetView]
    transfer_targets: list[Team]  # empty unless can_work
    collaborator_candidates: list[Team]  # empty unless can_work
    followers: list[CaseFollower]  # key-account advisers who follow the case
    collaborators: list[CaseCollaborator]  # the other authority's collaborating teams
    sent_notifications: list[OutboxMessage]  # what the desk sent (or will send) about it
    links: list[case_links.LinkView]  # related cases (named only where the reader may open)
    canned_options: list[CannedResponse]  # the team's answers, for whoever may reply
    merge_target: Case | None  # where a merged duplicate went, if the reader may open it

    # Working the case (empty unless can_work): whom to assign, how it may be resolved, the
    # choices of the need/municipality form, and the transfer the rules suggest after a change.
    assignee_candidates: list[User]
    resolution_categories: list[ResolutionCategory]
    needs: list[Need]
    municipalities: list[Municipality]
    rerouting: case_work.Rerouting | None
    follow_up_local: tuple[str, str]  # the follow-up's Helsinki date and time, for the form
    # The emails that reached the case (desk.services.inbound): which messages came by
    # email, the held ones to post or discard, and the email that opened the case.
    inbound_messages: list[InboundMessage] = field(default_factory=list)


def staff_case_page(session: Session, actor: Actor, case: Case) -> StaffCasePage:
    """The page of a case the actor may view (load it with cases.get_case_for_staff)."""
    workable = can_work(actor, case)
    reference = snapshot(session) if workable else None
    return StaffCasePage(
        case=case,
        can_work=workable,
        can_note=can_note(actor, case),
        next_statuses=next_statuses(CaseStatus(case.status)),
        sla_targets=sla.case_targets(session, case),
        transfer_targets=transfers.transfer_targets(session, case) if workable else [],
        collaborator_candidates=(
            collaboration.collaborator_candidates(session, case) if workable else []
        ),
        followers=list(case.followers),
        collaborators=list(case.collaborators),
        sent_notifications=operations.sent_for_case(session, case.id),
        links=case_links.links_of(session, actor, case),
        canned_options=canned.options_for_case(session, actor, case),
        merge_target=merge.staff_redirect(session, actor, case),
        assignee_candidates=case_work.assignee_candidates(session, case) if workable else [],
        resolution_categories=list(ResolutionCategory) if workable else [],
        needs=list(reference.needs.values()) if reference else [],
        municipalities=(
            sorted(reference.municipalities.values(), key=lambda m: m.name_fi) if reference else []
        ),
        rerouting=_rerouting(session, case) if workable else None,
        follow_up_local=_local(case.follow_up_at),
        inbound_messages=inbound_review.of_case(session, case.id),
    )


def _local(at: datetime | None) -> tuple[str, str]:
    if at is None:
        return "", ""
    local = at.astimezone(HELSINKI)
    return local.date().isoformat(), local.strftime("%H:%M")


def _rerouting(session: Session, case: Case) -> case_work.Rerouting | None:
    """Right after the need or municipality changed: the team the rules would choose now."""
    if case.status == CaseStatus.CLOSED or not case.events:
        return None
    if case.events[-1].kind != "details_changed":
        return None
    return case_work.rerouting_for(session, case)
