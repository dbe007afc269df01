"""Saved view shapes. Filters are the query parameters of `GET /tickets`, as strings."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from ticketdesk.schemas import (
    Flag,
    Input,
    JsonInt,
    Name100,
    NotNullable,
    Output,
    Rfc3339Time,
    UtcDateTime,
)

CUSTOM_FILTER_RE = re.compile(r"^cf\.[a-z][a-z0-9_]{0,62}(\.(gte|lte|set))?$")
FilterValue = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
FilterTime = Rfc3339Time
Position = Annotated[JsonInt, Field(ge=0, le=100_000)]


class ViewFilters(Input):
    """The same filters as `GET /tickets` (comma = any of), e.g. `{"status": "open,waiting"}`;
    custom field filters too (`"cf.reason": "damaged"`, `"cf.refund_amount.gte": "100"`)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    @model_validator(mode="after")
    def _custom_filters(self) -> ViewFilters:
        for name, value in (self.model_extra or {}).items():
            if not CUSTOM_FILTER_RE.match(name):
                raise ValueError(
                    f"unknown filter {name[:80]!r}; custom field filters are cf.<key>, "
                    "cf.<key>.gte, cf.<key>.lte and cf.<key>.set"
                )
            if not isinstance(value, str) or len(value) > 2000 or "\x00" in value:
                raise ValueError(f"{name} takes a text of at most 2000 characters")
        return self

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
    organization: FilterValue | None = None
    sla: FilterValue | None = None
    watching: FilterValue | None = None
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
    position: Annotated[Position | None, NotNullable] = Field(
        default=None, description="omitted: after the last view"
    )

    @model_validator(mode="after")
    def _position_not_null(self) -> ViewCreate:
        if "position" in self.model_fields_set and self.position is None:
            raise ValueError("`position` cannot be null; omit it to append")
        return self


class ViewUpdate(Input):
    """Only the fields sent change."""

    name: Annotated[Name100 | None, NotNullable] = None
    filters: Annotated[ViewFilters | None, NotNullable] = None
    sort: Annotated[Sort | None, NotNullable] = None
    shared: Annotated[Flag | None, NotNullable] = None
    pinned: Annotated[Flag | None, NotNullable] = None
    position: Annotated[Position | None, NotNullable] = None


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
