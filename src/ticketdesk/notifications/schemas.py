"""Notification shapes."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from ticketdesk.schemas import Output, UtcDateTime


class NotificationRead(Output):
    id: uuid.UUID
    kind: str = Field(examples=["mention", "assigned", "watched_change", "sla_warning"])
    ticket: str | None = Field(examples=["TKT-42"])
    ticket_id: uuid.UUID | None
    data: dict[str, Any]
    read: bool
    created_at: UtcDateTime
    read_at: UtcDateTime | None


class NotificationPage(Output):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class MarkedRead(Output):
    updated: int
    unread_count: int
