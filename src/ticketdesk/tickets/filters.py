"""The list filters of `GET /tickets` (also used by stats, export and saved views)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Query

from ticketdesk.errors import ValidationFailed
from ticketdesk.models.ticket import CHANNELS, PRIORITIES, STATUS_CATEGORIES
from ticketdesk.schemas import Timestamp

Sort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "priority", "-priority", "due"
]
_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
UUID_LIST_PATTERN = rf"^\s*{_UUID}\s*(,\s*{_UUID}\s*)*$"
ASSIGNEE_PATTERN = rf"^\s*(me|none|{_UUID})\s*(,\s*(me|none|{_UUID})\s*)*$"
SORTS = ("created_at", "-created_at", "updated_at", "-updated_at", "priority", "-priority", "due")
SLA_FILTERS = ("overdue", "at_risk", "due_today", "due_this_week")
MAX_LIST_VALUES = 50


@dataclass
class TicketFilters:
    status: list[str] = field(default_factory=list)
    status_category: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    assignee: list[str] = field(default_factory=list)  # "me", "none" or user ids
    team: list[uuid.UUID] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    requester: list[str] = field(default_factory=list)
    sla: list[str] = field(default_factory=list)
    q: str | None = None
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    updated_after: Timestamp | None = None
    sort: str = "-created_at"


def _split(name: str, raw: str | None, allowed: tuple[str, ...] | None = None) -> list[str]:
    if raw is None:
        return []
    values = [part.strip() for part in raw.split(",") if part.strip()]
    if len(values) > MAX_LIST_VALUES:
        raise ValidationFailed(f"At most {MAX_LIST_VALUES} values.", loc=("query", name))
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValidationFailed(
                f"Unknown value {unknown[0]!r}; use one of: {', '.join(allowed)}.",
                loc=("query", name),
            )
    return values


def _uuids(name: str, values: list[str]) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(v) for v in values]
    except ValueError as exc:
        raise ValidationFailed("Expected ids (UUIDs).", loc=("query", name)) from exc


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


StrQuery = Annotated[str | None, Query(max_length=2000)]


def ticket_filters(
    status: StrQuery = None,
    status_category: StrQuery = None,
    priority: StrQuery = None,
    assignee: Annotated[
        str | None,
        Query(
            max_length=2000,
            pattern=ASSIGNEE_PATTERN,
            description="`me`, `none`, or user ids; comma = any of",
        ),
    ] = None,
    team: Annotated[str | None, Query(max_length=2000, pattern=UUID_LIST_PATTERN)] = None,
    label: Annotated[str | None, Query(max_length=2000, description="all of")] = None,
    type: StrQuery = None,  # noqa: A002
    category: StrQuery = None,
    channel: StrQuery = None,
    requester: StrQuery = None,
    sla: StrQuery = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    created_after: Timestamp | None = None,
    created_before: Timestamp | None = None,
    updated_after: Timestamp | None = None,
    sort: Sort = "-created_at",
) -> TicketFilters:
    if sort not in SORTS:
        raise ValidationFailed(
            f"Unknown sort; use one of: {', '.join(SORTS)}.", loc=("query", "sort")
        )
    assignees = _split("assignee", assignee)
    _uuids("assignee", [a for a in assignees if a not in ("me", "none")])
    return TicketFilters(
        status=_split("status", status),
        status_category=_split("status_category", status_category, STATUS_CATEGORIES),
        priority=_split("priority", priority, PRIORITIES),
        assignee=assignees,
        team=_uuids("team", _split("team", team)),
        label=[v.lower() for v in _split("label", label)],
        type=_split("type", type),
        category=_split("category", category),
        channel=_split("channel", channel, CHANNELS),
        requester=[v.lower() for v in _split("requester", requester)],
        sla=_split("sla", sla, SLA_FILTERS),
        q=q.strip() if q and q.strip() else None,
        created_after=_aware(created_after),
        created_before=_aware(created_before),
        updated_after=_aware(updated_after),
        sort=sort,
    )
