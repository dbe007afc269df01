"""Route dependencies for a ticket named in the path: loaded in the caller's workspace, or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ticketdesk.auth.principal import Agent, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.models import Ticket
from ticketdesk.tickets import service

TicketRef = Annotated[str, "TKT-42 or the ticket's id"]


async def readable_ticket(ticket: TicketRef, session: SessionDep, principal: Reader) -> Ticket:
    workspace = await service.get_workspace(session, principal)
    return await service.get_ticket(session, principal, workspace, ticket)


async def writable_ticket(ticket: TicketRef, session: SessionDep, principal: Agent) -> Ticket:
    """Locked for the transaction (FOR UPDATE): concurrent writers of one ticket queue."""
    workspace = await service.get_workspace(session, principal)
    return await service.get_ticket(session, principal, workspace, ticket, for_update=True)


TicketDep = Annotated[Ticket, Depends(readable_ticket)]
LockedTicketDep = Annotated[Ticket, Depends(writable_ticket)]
