"""Shapes of contacts and organisations."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from ticketdesk.schemas import Input, Name200, Output, UtcDateTime


class ContactUpdate(Input):
    """Only the fields sent change; `"name": null` clears the name (the email stays)."""

    name: Annotated[Name200 | None, Field(description="the contact's display name")] = None


class TicketCounts(Output):
    tickets_open: int = Field(description="tickets not yet solved or closed (open or pending)")
    tickets_total: int
    last_ticket_at: UtcDateTime | None = Field(description="when their newest ticket was opened")


class ContactProfileRead(TicketCounts):
    id: uuid.UUID
    email: str
    name: str | None
    organization: str | None = Field(
        description="the email's domain; null for free-mail domains (gmail.com, outlook.com …)",
        examples=["acme.com"],
    )
    created_at: UtcDateTime


class OrganizationRead(TicketCounts):
    domain: str = Field(examples=["acme.com"])
    contacts: int
