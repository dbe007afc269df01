"""Saved view shapes. Filters are the query parameters of `GET /tickets`, as strings."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from ticketdesk.schemas import Input, Name100, Output, UtcDateTime

FilterValue = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def _rfc3339(value: Any) -> Any:
    """Only RFC 3339 strings are times here (pydantic alone also takes numbers as epochs)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-21T09:30:00Z")
    return value


FilterTime = Annotated[datetime, BeforeValidator(_rfc3339)]
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
