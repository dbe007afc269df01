"""Deciding approvals: an approver's yes applies the held-back change (checked again against
the rules and the ticket as it is now); a no leaves the ticket as it was, with a reason.

Only a role the gate names may decide, and never the one who asked. If the ticket changed
since in anything the approval looked at (its status, its type, the fields the change or the
gate name), the approval is stale: approving answers 409 and leaves it pending, to be
rejected (and asked again if still wanted).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.approvals import repository
from ticketdesk.approvals.schemas import ApprovalCounts
from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found
from ticketdesk.db import utcnow
from ticketdesk.errors import Conflict, Forbidden, NotFound
from ticketdesk.models import Approval, Workspace
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.schemas import Page
from ticketdesk.ticket_types import service as ticket_types
from ticketdesk.ticket_types.schemas import ApprovalRead
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketUpdate


class ApprovalNotFound(NotFound):
    title = "Approval not found"


def _key(workspace: Workspace, number: int) -> str:
    return f"{workspace.ticket_prefix}-{number}"


async def list_approvals(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    *,
    state: str,
    ticket: str | None,
    limit: int,
    cursor: str | None,
) -> Page[ApprovalRead]:
    """A keyset page of the workspace's approvals in one state (pending: oldest first)."""
    ticket_id = None
    if ticket is not None:
        found = await tickets.get_ticket(session, principal, workspace, ticket)
        ticket_id = found.id
    after = None
    if cursor:
        created_at, approval_id = decode_cursor(cursor, 2)
        after = (created_at, approval_id)
    rows = await repository.page(
        session, workspace.id, state=state, ticket_id=ticket_id, after=after, limit=limit + 1
    )
    rows, next_cursor = keyset_page(rows, limit, lambda row: [row[0].created_at, row[0].id])
    items = [ticket_types.approval_read(approval, _key(workspace, n)) for approval, n in rows]
    return Page[ApprovalRead](items=items, next_cursor=next_cursor)


def _may_decide(principal: Principal, approval: Approval) -> bool:
    roles = (approval.rule or {}).get("approver_roles") or []
    mine = (approval.requested_by_kind, approval.requested_by_id) == (principal.kind, principal.id)
    return principal.role in roles and not mine


async def counts(
    session: AsyncSession, principal: Principal, workspace: Workspace
) -> ApprovalCounts:
    """The sidebar's badge: pending changes, and those this caller may decide."""
    rows = await repository.pending_rules(session, workspace.id)
    for_me = sum(
        1
        for rule, kind, requester in rows
        if principal.role in ((rule or {}).get("approver_roles") or [])
        and (kind, requester) != (principal.kind, principal.id)
    )
    return ApprovalCounts(pending=len(rows), for_me=for_me)


async def get_approval(
    session: AsyncSession, principal: Principal, workspace: Workspace, approval_id: uuid.UUID
) -> ApprovalRead:
    approval = ensure_found(
        await repository.find(session, workspace.id, approval_id),
        "No such approval in this workspace.",
        ApprovalNotFound,
    )
    ticket = await tickets.get_ticket(session, principal, workspace, str(approval.ticket_id))
    return ticket_types.approval_read(approval, tickets.ticket_key(workspace, ticket))


async def decide(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    approval_id: uuid.UUID,
    *,
    approve: bool,
    comment: str | None,
) -> ApprovalRead:
    """Approve (apply the change) or reject (with a comment) a pending approval."""
    found = await repository.find(session, workspace.id, approval_id)
    found = ensure_found(found, "No such approval in this workspace.", ApprovalNotFound)
    # the ticket first, then the approval: the order a PATCH that opens one takes them in
    ticket = await tickets.get_ticket(
        session, principal, workspace, str(found.ticket_id), for_update=True
    )
    approval = await repository.find(session, workspace.id, approval_id, lock=True)
    assert approval is not None
    await session.refresh(approval)
    key = tickets.ticket_key(workspace, ticket)
    if approval.state != "pending":
        raise Conflict(f"This approval was {approval.state} already.")
    roles = (approval.rule or {}).get("approver_roles") or []
    if principal.role not in roles:
        raise Forbidden(f"Only {' or '.join(roles)} may decide this approval.")
    if not _may_decide(principal, approval):
        raise Forbidden("You asked for this change: another approver must decide on it.")
    actor = principal.actor()
    if approve:
        _refuse_stale(approval, ticket, key)
        data = TicketUpdate.model_validate(approval.changes or {})
        await tickets.update_ticket(
            session,
            workspace,
            ticket,
            data,
            actor=actor,
            role=approval.requested_role,
            approved=True,
        )
    approval.state = "approved" if approve else "rejected"
    approval.decided_by_kind, approval.decided_by_id, approval.decided_by_name = (
        actor.kind,
        actor.id,
        actor.name,
    )
    approval.comment = comment
    approval.decided_at = utcnow()
    events.record_ticket_event(
        session,
        ticket,
        "ticket.approval_decided",
        actor,
        {
            "ticket": key,
            "approval_id": approval.id,
            "state": approval.state,
            "comment": comment,
            "changes": approval.changes,
            "requested_by": ticket_types.actor_ref(
                approval.requested_by_kind, approval.requested_by_id, approval.requested_by_name
            ),
        },
    )
    await session.flush()
    return ticket_types.approval_read(approval, key)


def _refuse_stale(approval: Approval, ticket: Any, key: str) -> None:
    """409 when the ticket moved on in what the approval looked at."""
    current = events.jsonable(tickets.ticket_facts(ticket))
    changed = [
        name for name, value in (approval.snapshot or {}).items() if current.get(name) != value
    ]
    if changed:
        shown = ", ".join(
            f"{name}: {approval.snapshot[name]!r} → {current.get(name)!r}" for name in changed
        )
        raise Conflict(
            f"{key} changed since this approval was asked ({shown}); reject it, and ask again "
            "if the change is still wanted."
        )
