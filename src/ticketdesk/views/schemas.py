"""Saved view shapes. Filters are the query parameters of `GET /tickets`, as strings."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from ticketdesk.schemas import Input, Name100, Output, Rfc3339Time, UtcDateTime

FilterValue = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
FilterTime = Rfc3339Time
Position = Annotated[int, Field(ge=0, le=100_000, strict=True)]
Flag = Annotated[bool, Field(strict=True)]


class ViewFilters(Input):
    """The same filters as `GET /tickets` (comma = any of), e.g. `{"status": "open,waiting"}`."""

    status: FilterValue | None = None
    status_category: FilterValue | None = None
    priority: FilterValue | None = None
    assignee: FilterValue | None = None
    team: FilterValue | None = None
    label: FilterValue | None = None
    type: FilterValue | None = None
    category: FilterValue | None = None
    channel: FilterValue | None = None
    requester: FilterValue | None = None
    sla: FilterValue | None = None
    q: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] | None = None
    created_after: FilterTime | None = None
    created_before: FilterTime | None = None
    updated_after: FilterTime | None = None


Sort = Annotated[str, StringConstraints(max_length=20)]


class ViewCreate(Input):
    name: Name100
    filters: ViewFilters = ViewFilters()
    sort: Sort = "-created_at"
    shared: Flag = False
    pinned: Flag = False
    position: Position | SkipJsonSchema[None] = Field(
        default=None, description="omitted: after the last view"
    )

    @model_validator(mode="after")
    def _position_not_null(self) -> ViewCreate:
        if "position" in self.model_fields_set and self.position is None:
            raise ValueError("`position` cannot be null; omit it to append")
        return self


class ViewUpdate(Input):
    """Only the fields sent change."""

    name: Name100 | SkipJsonSchema[None] = None
    filters: ViewFilters | SkipJsonSchema[None] = None
    sort: Sort | SkipJsonSchema[None] = None
    shared: Flag | SkipJsonSchema[None] = None
    pinned: Flag | SkipJsonSchema[None] = None
    position: Position | SkipJsonSchema[None] = None


class ViewOwner(Output):
    id: uuid.UUID
    name: str


class ViewRead(Output):
    id: uuid.UUID
    name: str
    filters: dict[str, str]
    sort: str
    shared: bool
    pinned: bool
    position: int
    owner: ViewOwner
    mine: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime
