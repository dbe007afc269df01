"""HTTP for the approval queue and its decisions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ticketdesk.approvals import service
from ticketdesk.approvals.schemas import ApprovalCounts, ApproveRequest, RejectRequest
from ticketdesk.auth.principal import Agent, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.schemas import Page
from ticketdesk.ticket_types.schemas import ApprovalRead

router = APIRouter(tags=["approvals"])

_LIST = problems(401, 403, 404, 422)
_DECIDE = problems(400, 401, 403, 404, 409, 412, 413, 415, 422)


@router.get("/approvals", operation_id="approvals:list", responses=_LIST)
async def list_approvals(
    session: SessionDep,
    principal: Reader,
    workspace: WorkspaceDep,
    state: Literal["pending", "approved", "rejected"] = "pending",
    ticket: Annotated[
        str | None, Query(max_length=64, description="only this ticket's (key or id)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500, pattern=CURSOR_PATTERN)] = None,
) -> Page[ApprovalRead]:
    """Changes waiting for (or decided by) an approver: pending ones oldest first."""
    return await service.list_approvals(
        session, principal, workspace, state=state, ticket=ticket, limit=limit, cursor=cursor
    )


@router.get("/approvals/counts", operation_id="approvals:counts", responses=problems(401, 403))
async def approval_counts(
    session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> ApprovalCounts:
    """How many changes wait, and how many of them the caller may decide (the badge)."""
    return await service.counts(session, principal, workspace)


@router.get("/approvals/{approval_id}", operation_id="approvals:get", responses=_LIST)
async def get_approval(
    approval_id: uuid.UUID, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> ApprovalRead:
    return await service.get_approval(session, principal, workspace, approval_id)


@router.post(
    "/approvals/{approval_id}/approve", operation_id="approvals:approve", responses=_DECIDE
)
async def approve(
    approval_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
    data: ApproveRequest | None = None,
) -> ApprovalRead:
    """Apply the held-back change, checked again against the rules and the ticket as it is
    now; a conflicting change since answers 409 and leaves the approval pending."""
    comment = data.comment if data is not None else None
    return await service.decide(
        session, principal, workspace, approval_id, approve=True, comment=comment
    )


@router.post("/approvals/{approval_id}/reject", operation_id="approvals:reject", responses=_DECIDE)
async def reject(
    approval_id: uuid.UUID,
    data: RejectRequest,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> ApprovalRead:
    """Refuse the change, saying why; the ticket stays as it is."""
    return await service.decide(
        session, principal, workspace, approval_id, approve=False, comment=data.comment
    )
