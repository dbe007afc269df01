"""Shapes of a bulk change and its per-ticket results."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from ticketdesk.errors import Problem
from ticketdesk.schemas import Input, JsonObject, NotNullable, Output
from ticketdesk.ticket_types.schemas import ApprovalRead
from ticketdesk.tickets.schemas import Labels, Priority, Slug, TicketRefIn

MAX_BULK = 1000


class BulkChanges(Input):
    """At least one change; `null` assignee_id or team_id clears it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    status: Annotated[Slug | None, NotNullable] = None
    priority: Annotated[Priority | None, NotNullable] = None
    assignee_id: uuid.UUID | None = Field(default=None, description="null unassigns")
    team_id: uuid.UUID | None = Field(default=None, description="null clears the team")
    add_labels: Labels = []
    remove_labels: Labels = []
    custom_fields: Annotated[JsonObject | None, NotNullable] = Field(
        default=None,
        description="merged into each ticket's, checked against its type (null clears a field)",
    )

    @model_validator(mode="after")
    def _something_to_do(self) -> BulkChanges:
        if not (self.model_fields_set - {"add_labels", "remove_labels"}) and not (
            self.add_labels or self.remove_labels
        ):
            raise ValueError("name at least one change")
        for name in ("status", "priority", "custom_fields"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"`{name}` cannot be null")
        return self


class BulkRequest(Input):
    tickets: Annotated[list[TicketRefIn], Field(min_length=1, max_length=MAX_BULK)]
    changes: BulkChanges


class BulkResult(Output):
    ticket: str
    ok: bool
    version: int | None = None
    error: Problem | None = None
    approval: ApprovalRead | None = Field(
        default=None, description="the change waits for this approval (not applied)"
    )


class BulkResponse(Output):
    results: list[BulkResult]
