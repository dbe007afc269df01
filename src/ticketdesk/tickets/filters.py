"""The list filters of `GET /tickets` (also used by stats, export and saved views)."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request

from ticketdesk.errors import ValidationFailed
from ticketdesk.models.ticket import CHANNELS, PRIORITIES, STATUS_CATEGORIES
from ticketdesk.query_params import accepts_query_prefix
from ticketdesk.schemas import Timestamp

Sort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "priority", "-priority", "due"
]
_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
SORTS = ("created_at", "-created_at", "updated_at", "-updated_at", "priority", "-priority", "due")
SLA_FILTERS = ("overdue", "at_risk", "due_today", "due_this_week")
MAX_LIST_VALUES = 50


def list_pattern(item: str) -> str:
    """A comma-separated list of at most MAX_LIST_VALUES `item`s (blank items are skipped)."""
    one = rf"[ \t]*(?:(?:{item})[ \t]*)?"  # unambiguous: no backtracking blow-up
    return rf"^{one}(?:,{one}){{0,{MAX_LIST_VALUES - 1}}}$"


UUID_LIST_PATTERN = list_pattern(_UUID)
ASSIGNEE_PATTERN = list_pattern(rf"me|none|{_UUID}")
WATCHING_PATTERN = list_pattern(rf"me|{_UUID}")
ANY_LIST_PATTERN = rf"^[^,\x00]*(?:,[^,\x00]*){{0,{MAX_LIST_VALUES - 1}}}$"


def _choices(values: tuple[str, ...]) -> str:
    return list_pattern("|".join(values))


CUSTOM_PREFIX = "cf."
_CUSTOM_RE = re.compile(r"^cf\.([a-z][a-z0-9_]{0,62})(?:\.(gte|lte|set))?$")
MAX_CUSTOM_FILTERS = 20


@dataclass(frozen=True)
class CustomFieldFilter:
    """`cf.<key>=a,b` (op `any`), `cf.<key>.gte=`, `cf.<key>.lte=`, `cf.<key>.set=true|false`;
    the values are checked against the field's kind when the query is built."""

    key: str
    op: str
    values: tuple[str, ...]


def custom_field_filters(items: Iterable[tuple[str, str]]) -> list[CustomFieldFilter]:
    """The `cf.*` parameters among query items (name, value); other names are left alone."""
    found: list[CustomFieldFilter] = []
    for name, raw in items:
        if not name.startswith(CUSTOM_PREFIX):
            continue
        match = _CUSTOM_RE.match(name)
        if match is None:
            raise ValidationFailed(
                "A custom field filter is cf.<key>, cf.<key>.gte, cf.<key>.lte or "
                "cf.<key>.set, with a field key such as refund_amount.",
                loc=("query", name),
            )
        if len(raw) > 2000 or "\x00" in raw:
            raise ValidationFailed("At most 2000 characters, no NUL.", loc=("query", name))
        op = match.group(2) or "any"
        values = tuple(_split(name, raw)) if op == "any" else (raw.strip(),)
        found.append(CustomFieldFilter(match.group(1), op, values))
    if len(found) > MAX_CUSTOM_FILTERS:
        raise ValidationFailed(
            f"At most {MAX_CUSTOM_FILTERS} custom field filters.", loc=("query", found[-1].key)
        )
    return found


@accepts_query_prefix(CUSTOM_PREFIX)
async def custom_filters_of_request(request: Request) -> list[CustomFieldFilter]:
    """`cf.*` filters of the request's query string (each name is its field's key)."""
    return custom_field_filters(request.query_params.multi_items())


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
    organization: list[str] = field(default_factory=list)  # requesters' email domains
    sla: list[str] = field(default_factory=list)
    watching: list[str] = field(default_factory=list)  # "me" or user ids
    q: str | None = None
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    updated_after: Timestamp | None = None
    sort: str = "-created_at"
    custom: list[CustomFieldFilter] = field(default_factory=list)


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


StrQuery = Annotated[
    str | None, Query(max_length=2000, pattern=ANY_LIST_PATTERN, description="comma = any of")
]


def _choice_query(values: tuple[str, ...]) -> object:
    return Query(
        max_length=2000,
        pattern=_choices(values),
        description=f"comma = any of: {', '.join(values)}",
    )


def ticket_filters(
    status: StrQuery = None,
    status_category: Annotated[str | None, _choice_query(STATUS_CATEGORIES)] = None,
    priority: Annotated[str | None, _choice_query(PRIORITIES)] = None,
    assignee: Annotated[
        str | None,
        Query(
            max_length=2000,
            pattern=ASSIGNEE_PATTERN,
            description="`me`, `none`, or user ids; comma = any of",
        ),
    ] = None,
    team: Annotated[
        str | None,
        Query(max_length=2000, pattern=UUID_LIST_PATTERN, description="team ids; comma = any of"),
    ] = None,
    label: Annotated[
        str | None, Query(max_length=2000, pattern=ANY_LIST_PATTERN, description="all of")
    ] = None,
    type: StrQuery = None,  # noqa: A002
    category: StrQuery = None,
    channel: Annotated[str | None, _choice_query(CHANNELS)] = None,
    requester: Annotated[
        str | None,
        Query(max_length=2000, pattern=ANY_LIST_PATTERN, description="emails; comma = any of"),
    ] = None,
    organization: Annotated[
        str | None,
        Query(
            max_length=2000,
            pattern=ANY_LIST_PATTERN,
            description="requesters' email domains (`acme.com`, see GET /organizations); "
            "comma = any of",
        ),
    ] = None,
    sla: Annotated[str | None, _choice_query(SLA_FILTERS)] = None,
    watching: Annotated[
        str | None,
        Query(
            max_length=2000,
            pattern=WATCHING_PATTERN,
            description="tickets watched by `me` or by these user ids; comma = any of",
        ),
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    created_after: Timestamp | None = None,
    created_before: Timestamp | None = None,
    updated_after: Timestamp | None = None,
    sort: Sort = "-created_at",
    custom: list[CustomFieldFilter] = Depends(custom_filters_of_request),
) -> TicketFilters:
    """The list filters; `cf.<key>=a,b`, `cf.<key>.gte=`, `cf.<key>.lte=` and
    `cf.<key>.set=true|false` filter on custom fields (taken from the query string)."""
    if sort not in SORTS:
        raise ValidationFailed(
            f"Unknown sort; use one of: {', '.join(SORTS)}.", loc=("query", "sort")
        )
    assignees = _split("assignee", assignee)
    _uuids("assignee", [a for a in assignees if a not in ("me", "none")])
    watchers = _split("watching", watching)
    _uuids("watching", [w for w in watchers if w != "me"])
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
        organization=[v.lower() for v in _split("organization", organization)],
        sla=_split("sla", sla, SLA_FILTERS),
        watching=watchers,
        q=q.strip() if q and q.strip() else None,
        created_after=_aware(created_after),
        created_before=_aware(created_before),
        updated_after=_aware(updated_after),
        sort=sort,
        custom=custom if isinstance(custom, list) else [],
    )


async def ticket_filters_of_request(**params: Any) -> TicketFilters:
    """`ticket_filters` as a request dependency. A coroutine, so FastAPI runs it on the event
    loop: a plain function dependency is handed to a worker thread, one hop per list request."""
    return ticket_filters(**params)


# FastAPI reads the query parameters off the signature (annotations resolve in this module)
ticket_filters_of_request.__signature__ = inspect.signature(ticket_filters)  # type: ignore[attr-defined]
