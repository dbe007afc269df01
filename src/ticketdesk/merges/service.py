"""Merging a ticket into another (the source closes, its conversation shows on the target) and
splitting chosen comments off into a new, linked ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.db import utcnow
from ticketdesk.errors import Conflict, TransitionNotAllowed, ValidationFailed
from ticketdesk.fields import service as fields
from ticketdesk.fields.service import TicketShape
from ticketdesk.links import service as links
from ticketdesk.merges import repository
from ticketdesk.merges.schemas import SplitRequest
from ticketdesk.models import Contact, Status, Ticket, User, Workspace
from ticketdesk.notifications import service as notifications
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate
from ticketdesk.watchers import service as watchers


async def _other_ticket(
    session: AsyncSession, principal: Principal, workspace: Workspace, ref: str, field: str
) -> Ticket:
    """The ticket a body names (a 422 on that field, not a 404, when there is none)."""
    other = await tickets.find_ticket(session, principal, workspace, ref)
    if other is None:
        raise ValidationFailed(f"No ticket {ref!r} in this workspace.", loc=("body", field))
    return other


async def _closed_status(session: AsyncSession, workspace: Workspace) -> Status:
    status = await repository.first_closed_status(session, workspace.id)
    if status is None:
        raise Conflict("This workspace has no status in the `closed` category to merge into.")
    return status


async def merge_tickets(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    source_ref: str,
    into_ref: str,
) -> Ticket:
    """Close `source` as merged into `into`; its comments and files show on the target."""
    source = await tickets.get_ticket(session, principal, workspace, source_ref)
    target = await _other_ticket(session, principal, workspace, into_ref, "into")
    if source.id == target.id:
        raise ValidationFailed("A ticket cannot be merged into itself.", loc=("body", "into"))
    await repository.lock_tickets(session, [source.id, target.id])
    await session.refresh(source)
    await session.refresh(target)
    source_key, target_key = (
        tickets.ticket_key(workspace, source),
        tickets.ticket_key(workspace, target),
    )
    if source.merged_into_id is not None:
        raise TransitionNotAllowed(f"{source_key} was already merged into another ticket.")
    if target.merged_into_id is not None:
        final = await repository.by_id(session, Ticket, target.merged_into_id)
        where = f" {tickets.ticket_key(workspace, final)}" if final else " another ticket"
        raise TransitionNotAllowed(
            f"{target_key} was itself merged into{where}; merge into that ticket instead."
        )
    actor = principal.actor()
    now = utcnow()
    closed = await _closed_status(session, workspace)
    status_change = await tickets.change_status(
        session, workspace, source, closed.name, actor=actor, now=now, role=principal.role
    )
    source.merged_into_id = target.id
    source.closed_at = source.closed_at or now
    tickets.touch(source, now)
    tickets.touch(target, now)
    merge = {"from": source_key, "to": target_key}
    for ticket in (source, target):
        event_data = {"ticket": tickets.ticket_key(workspace, ticket), **merge}
        events.record_ticket_event(session, ticket, "ticket.merged", actor, event_data)
    # the source's watchers keep following the conversation on the target
    await watchers.copy_watchers(session, workspace, source, target, now)
    await session.flush()
    source_changes: dict[str, Any] = {"merged_into": {"from": None, "to": target_key}}
    if status_change is not None:
        source_changes["status"] = status_change
    await tickets.notify_observers(
        session,
        tickets.TicketChange(
            ticket=source, workspace=workspace, actor=actor, changes=source_changes
        ),
    )
    await tickets.notify_observers(
        session,
        tickets.TicketChange(
            ticket=target, workspace=workspace, actor=actor, changes={"merged": merge}
        ),
    )
    await session.flush()
    return target


async def split_ticket(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ref: str,
    data: SplitRequest,
) -> Ticket:
    """A new ticket made of chosen comments (moved over, with their files), linked back."""
    original = await tickets.get_ticket(session, principal, workspace, ref, for_update=True)
    original_key = tickets.ticket_key(workspace, original)
    if original.merged_into_id is not None:
        raise TransitionNotAllowed(
            f"{original_key} was merged; split from the ticket it was merged into."
        )
    wanted = list(dict.fromkeys(data.comment_ids))
    chosen = await repository.comments_on(session, original.id, wanted)
    if len(chosen) != len(wanted):
        missing = sorted(str(c) for c in set(wanted) - {c.id for c in chosen})
        raise ValidationFailed(
            f"Comment {missing[0]} is not on {original_key}.", loc=("body", "comment_ids")
        )
    actor = principal.actor()
    requester = (
        await repository.by_id(session, Contact, original.requester_id)
        if original.requester_id
        else None
    )
    assignee = (
        await repository.by_id(session, User, original.assignee_id)
        if original.assignee_id
        else None
    )
    label_names = sorted(await tickets.ticket_labels(session, original.id))
    created = await tickets.create_ticket(
        session,
        workspace,
        TicketCreate(
            subject=data.subject,
            description=f"Split from {original_key}.",
            priority=original.priority,
            type=original.type,
            category=original.category,
            labels=label_names,
            requester=RequesterIn(email=requester.email, name=requester.name)
            if requester
            else None,
            assignee_id=assignee.id
            if assignee and assignee.active and assignee.role != "viewer"
            else None,
            team_id=original.team_id,
            custom_fields=await fields.writable_copy(
                session,
                workspace.id,
                original.custom_fields or {},
                TicketShape(
                    type=original.type,
                    category=original.category,
                    priority=original.priority,
                    channel=original.channel,
                ),
            ),
        ),
        actor=actor,
        channel=original.channel,
        suggest=False,  # the split takes the original's fields
    )
    await repository.move_comments(session, chosen, created.id)
    created_key = tickets.ticket_key(workspace, created)
    now = utcnow()
    links.add_related_link(session, workspace, created, original, actor=actor, created_at=now)
    split = {"from": original_key, "to": created_key, "comment_ids": [c.id for c in chosen]}
    for ticket in (original, created):
        event_data = {"ticket": tickets.ticket_key(workspace, ticket), **split}
        events.record_ticket_event(session, ticket, "ticket.split", actor, event_data)
    tickets.touch(original, now)
    await session.flush()
    await notifications.notify_watchers(
        session, original, original_key, actor=actor, changes={"split": split}
    )
    return created
