"""The staff case page, assembled in one place: the case and everything shown beside it.

Every view that shows the page (the page itself, and an action that must show it again with
its errors) gets it from staff_case_page, so the page never misses a panel on one path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from desk.domain.case_status import CaseStatus, next_statuses
from desk.models import CannedResponse, Case, CaseCollaborator, CaseFollower, OutboxMessage, Team
from desk.services import canned, case_links, collaboration, merge, sla, transfers
from desk.services.access import Actor, can_note, can_work
from desk.services.notify import operations
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


def staff_case_page(session: Session, actor: Actor, case: Case) -> StaffCasePage:
    """The page of a case the actor may view (load it with cases.get_case_for_staff)."""
    workable = can_work(actor, case)
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
    )
