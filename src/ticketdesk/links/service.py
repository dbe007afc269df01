"""Links between tickets, each written with an event on both tickets and told to their watchers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.links import repository
from ticketdesk.links.schemas import Direction, LinkCreate, LinkedTicket, LinkRead, Relation
from ticketdesk.models import Ticket, TicketLink, Workspace
from ticketdesk.notifications import service as notifications
from ticketdesk.tickets import service as tickets

_RELATION: dict[tuple[str, Direction], Relation] = {
    ("related", "outbound"): "related",
    ("related", "inbound"): "related",
    ("duplicate", "outbound"): "duplicate_of",
    ("duplicate", "inbound"): "duplicated_by",
    ("blocks", "outbound"): "blocks",
    ("blocks", "inbound"): "blocked_by",
}


def link_read(link: TicketLink, me: uuid.UUID, other: Ticket, prefix: str) -> LinkRead:
    """The link as seen from ticket `me`: its direction, and the ticket at the other end."""
    direction: Direction = "outbound" if link.ticket_id == me else "inbound"
    return LinkRead(
        id=link.id,
        kind=link.kind,
        direction=direction,
        relation=_RELATION[(link.kind, direction)],
        ticket=LinkedTicket(
            id=other.id,
            key=f"{prefix}-{other.number}",
            subject=other.subject,
            status=other.status,
        ),
        created_at=link.created_at,
    )


async def list_links(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> list[LinkRead]:
    """Links from and to this ticket, each seen from this ticket's side."""
    rows = await repository.links_of(session, workspace.id, ticket.id)
    return [link_read(link, ticket.id, other, workspace.ticket_prefix) for link, other in rows]


async def _record(
    session: AsyncSession,
    workspace: Workspace,
    link: TicketLink,
    pair: tuple[Ticket, Ticket],
    actor: events.Actor,
    type_: str,
) -> None:
    """The link's event on each of its tickets, and a notice to each one's watchers."""
    for me, other in (pair, pair[::-1]):
        read = link_read(link, me.id, other, workspace.ticket_prefix)
        key = tickets.ticket_key(workspace, me)
        data = {
            "ticket": key,
            "link_id": link.id,
            "kind": link.kind,
            "relation": read.relation,
            "other": read.ticket.key,
        }
        events.record_ticket_event(session, me, type_, actor, data)
        await notifications.notify_watchers(session, me, key, actor=actor, changes={"link": data})


async def _other_ticket(
    session: AsyncSession, principal: Principal, workspace: Workspace, ref: str
) -> Ticket:
    other = await tickets.find_ticket(session, principal, workspace, ref)
    if other is None:
        raise ValidationFailed(f"No ticket {ref!r} in this workspace.", loc=("body", "ticket"))
    return other


def _new_link(
    workspace: Workspace,
    ticket_id: uuid.UUID,
    other_id: uuid.UUID,
    kind: str,
    actor: events.Actor,
    created_at: datetime,
) -> TicketLink:
    return TicketLink(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket_id,
        other_id=other_id,
        kind=kind,
        created_by_kind=actor.kind,
        created_by_id=actor.id,
        created_at=created_at,
    )


async def add_link(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    data: LinkCreate,
) -> LinkRead:
    other = await _other_ticket(session, principal, workspace, data.ticket)
    if other.id == ticket.id:
        raise ValidationFailed("A ticket cannot be linked to itself.", loc=("body", "ticket"))
    if await repository.link_exists(session, ticket.id, other.id, data.kind):
        raise Conflict(f"These tickets are already linked as {data.kind}.")
    actor = principal.actor()
    link = _new_link(workspace, ticket.id, other.id, data.kind, actor, utcnow())
    repository.add(session, link)
    await session.flush()
    await _record(session, workspace, link, (ticket, other), actor, "ticket.link_added")
    return link_read(link, ticket.id, other, workspace.ticket_prefix)


def add_related_link(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    other: Ticket,
    *,
    actor: events.Actor,
    created_at: datetime,
) -> None:
    """Relate two tickets without a link event (a split records its own)."""
    repository.add(session, _new_link(workspace, ticket.id, other.id, "related", actor, created_at))


async def remove_link(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    link_id: uuid.UUID,
) -> None:
    found = await repository.find_link(session, workspace.id, ticket.id, link_id)
    link = ensure_found(found, "No such link on this ticket.")
    other_id = link.other_id if link.ticket_id == ticket.id else link.ticket_id
    other = await repository.ticket_by_id(session, other_id)
    assert other is not None
    await repository.delete(session, link)
    await session.flush()
    await _record(
        session, workspace, link, (ticket, other), principal.actor(), "ticket.link_removed"
    )
