"""Shapes of a ticket imported with its history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ticketdesk.schemas import CommentBody, Email, Input, Timestamp
from ticketdesk.tickets.schemas import TicketCreate

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _since_1970(value: datetime) -> datetime:
    if value < EARLIEST:
        raise ValueError("must be 1970 or later")
    return value


# A `Timestamp` (RFC 3339 only, UTC when no offset is given) not before 1970.
HistoryTimestamp = Annotated[Timestamp, AfterValidator(_since_1970)]


class ImportComment(Input):
    body: CommentBody
    visibility: Literal["public", "internal"] = "public"
    author_email: Email | None = None
    created_at: HistoryTimestamp


class TicketImport(TicketCreate):
    created_at: HistoryTimestamp
    comments: Annotated[list[ImportComment], Field(max_length=1000)] = []
