"""CSV export of a filtered ticket list, streamed in keyset batches with constant memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.db import Database, utcnow
from ticketdesk.exports import repository
from ticketdesk.fields import service as fields
from ticketdesk.models import Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.filters import TicketFilters
from ticketdesk.tickets.service import TicketContext

BATCH_SIZE = 1000
MAX_CUSTOM_COLUMNS = 100
HEADER = [
    "key",
    "subject",
    "status",
    "priority",
    "type",
    "category",
    "channel",
    "requester_email",
    "assignee",
    "team",
    "labels",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
]
CUSTOM_PREFIX = "custom_fields."
# a spreadsheet would run a cell starting with one of these as a formula (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


async def custom_field_keys(
    session: AsyncSession, stmt: Select[Ticket], workspace: Workspace | None = None
) -> list[str]:
    """The extra columns: every defined custom field in its order (archived ones too: their
    values stay readable), then the other names the matching tickets use, sorted."""
    defined: list[str] = []
    if workspace is not None:
        defined = [f.key for f in (await fields.definitions(session, workspace.id)).fields]
    used = await repository.custom_field_keys(session, stmt, MAX_CUSTOM_COLUMNS + 1)
    others = sorted(set(used) - set(defined))
    return (defined + others)[:MAX_CUSTOM_COLUMNS]


def header(custom_keys: Sequence[str]) -> list[str]:
    return HEADER + [CUSTOM_PREFIX + key for key in custom_keys]


def _row(ticket: Ticket, ctx: TicketContext, custom_keys: Sequence[str]) -> list[str]:
    contact = ctx.contacts.get(ticket.requester_id) if ticket.requester_id else None
    user = ctx.users.get(ticket.assignee_id) if ticket.assignee_id else None
    team = ctx.teams.get(ticket.team_id) if ticket.team_id else None
    custom = ticket.custom_fields or {}
    values: list[Any] = [
        f"{ctx.prefix}-{ticket.number}",
        ticket.subject,
        ticket.status,
        ticket.priority,
        ticket.type,
        ticket.category,
        ticket.channel,
        contact.email if contact else None,
        user.name if user else None,
        team.name if team else None,
        ", ".join(ctx.labels.get(ticket.id, [])),
        ticket.created_at,
        ticket.updated_at,
        ticket.first_responded_at,
        ticket.resolved_at,
        ticket.closed_at,
        *(custom.get(key) for key in custom_keys),
    ]
    return [cell(v) for v in values]


async def export_csv(
    db: Database,
    workspace: Workspace,
    stmt: Select[Ticket],
    sort: str,
    custom_keys: Sequence[str],
) -> AsyncIterator[bytes]:
    """Yield the CSV a batch at a time; each batch is its own short read (no long transaction)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(custom_keys))
    yield buffer.getvalue().encode()
    stmt = repository.without_description(stmt)
    cursor: str | None = None
    while True:
        async with db.sessionmaker() as session:
            rows, cursor = await tickets.page_of_tickets(session, stmt, sort, BATCH_SIZE, cursor)
            ctx = await tickets.ticket_context(session, workspace, rows)
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_row(ticket, ctx, custom_keys) for ticket in rows)
        yield buffer.getvalue().encode()
        if cursor is None:
            return


@dataclass(frozen=True)
class CsvExport:
    """What the export route streams: a file name and the CSV's chunks."""

    filename: str
    chunks: AsyncIterator[bytes]


async def export_tickets(
    session: AsyncSession, db: Database, principal: Principal, filters: TicketFilters
) -> CsvExport:
    """Every ticket matching the list filters, in list order; the rows are read as it streams."""
    workspace = await tickets.get_workspace(session, principal)
    stmt = await tickets.filtered_tickets(session, principal, workspace, filters)
    custom_keys = await custom_field_keys(session, stmt, workspace)
    return CsvExport(
        filename=f"tickets-{utcnow():%Y%m%d-%H%M%S}.csv",
        chunks=export_csv(db, workspace, stmt, filters.sort, custom_keys),
    )
