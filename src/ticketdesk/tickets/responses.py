"""A ticket's HTTP answer: its `TicketRead` body, serialised once, with its ETag."""

from __future__ import annotations

from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.tickets.schemas import TicketRead


def ticket_response(ticket: TicketRead, status_code: int = 200, **headers: str) -> SerializedJSON:
    """A ticket with its ETag, like every ticket response."""
    return model_response(ticket, status_code, ETag=f'"{ticket.version}"', **headers)
