"""The rules of a ticket's life: creation, changes, status categories, events."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.config_cache import config_cached
from ticketdesk.context import context
from ticketdesk.crud import ensure_found
from ticketdesk.db import deferred, dialect_name, new_id, on_end, stop_deferring, utcnow
from ticketdesk.errors import (
    TicketNotFound,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from ticketdesk.models import Contact, Status, Team, Ticket, TicketLabel, User, Workspace
from ticketdesk.models.ticket import PRIORITY_RANK
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.schemas import Page
from ticketdesk.tickets import repository
from ticketdesk.tickets.filters import TicketFilters
from ticketdesk.tickets.schemas import (
    ActivityRead,
    TicketCreate,
    TicketRead,
    TicketStats,
    TicketUpdate,
)


@dataclass
class TicketChange:
    """What one create or update did, for observers (SLA, automations) in the same transaction."""

    ticket: Ticket
    workspace: Workspace
    actor: events.Actor
    created: bool = False
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)


TicketObserver = Callable[[AsyncSession, TicketChange], Awaitable[None]]
_observers: list[TicketObserver] = []


def add_observer(observer: TicketObserver) -> None:
    """Run `observer` inside the transaction of every ticket create and update."""
    if observer not in _observers:
        _observers.append(observer)


async def notify_observers(session: AsyncSession, change: TicketChange) -> None:
    for observer in list(_observers):
        await observer(session, change)


async def get_workspace(session: AsyncSession, principal: Principal) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    assert workspace is not None, "a principal always belongs to an existing workspace"
    return workspace


async def get_ticket(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ref: str,
    *,
    for_update: bool = False,
) -> Ticket:
    ticket = await repository.find_ticket(session, principal, workspace, ref, for_update=for_update)
    return ensure_found(ticket, f"No ticket {ref!r} in this workspace.", TicketNotFound)


TicketContext = repository.TicketContext  # what a page of tickets refers to (ticket_context)
find_ticket = repository.find_ticket  # by key or id, or None (get_ticket raises the 404)


async def lock_tickets(
    session: AsyncSession, principal: Principal, workspace: Workspace, refs: Sequence[str]
) -> dict[str, Ticket]:
    """Every referenced ticket of this workspace, locked in id order (one query per kind of
    ref), by the ref it was asked as; refs that name no ticket are left out."""
    numbers: dict[int, list[str]] = defaultdict(list)
    ids: dict[uuid.UUID, list[str]] = defaultdict(list)
    for ref in refs:
        match = repository.KEY_RE.match(ref)
        if match:
            if match.group(1).upper() == workspace.ticket_prefix.upper():
                numbers[int(match.group(2))].append(ref)
            continue
        try:
            ids[uuid.UUID(ref)].append(ref)
        except ValueError:
            continue
    # one condition per query: `number IN … OR id IN …` cannot use either index and reads
    # the whole workspace; locks are taken in id order in each query
    locked: list[Sequence[Ticket]] = []
    if numbers:
        locked.append(await repository.lock_by_numbers(session, principal, numbers))
    if ids:
        locked.append(await repository.lock_by_ids(session, principal, ids))
    found: dict[str, Ticket] = {}
    for rows in locked:
        for ticket in rows:
            for ref in numbers.get(ticket.number, []) + ids.get(ticket.id, []):
                found[ref] = ticket
    return found


def readable_tickets(principal: Principal) -> Select[Ticket]:
    """Every ticket the caller may see, as a statement other rooms narrow further."""
    return repository.readable_statement(principal)


async def filtered_tickets(
    session: AsyncSession, principal: Principal, workspace: Workspace, filters: TicketFilters
) -> Select[Ticket]:
    """The queue's filters applied to the caller's tickets (list, stats, export, bulk)."""
    return await repository.apply_filters(
        session, repository.readable_statement(principal), filters, principal, workspace
    )


async def page_of_tickets(
    session: AsyncSession, stmt: Select[Ticket], sort: str, limit: int, cursor: str | None
) -> tuple[Sequence[Ticket], str | None]:
    return await repository.page_of_tickets(session, stmt, sort, limit, cursor)


async def ticket_context(
    session: AsyncSession, workspace: Workspace, tickets: Sequence[Ticket]
) -> TicketContext:
    """What `tickets` refer to (labels, people, teams), loaded at once for a page of them."""
    return await repository.load_context(session, workspace, tickets)


async def ticket_stats(
    session: AsyncSession, principal: Principal, workspace: Workspace, filters: TicketFilters
) -> TicketStats:
    stmt = await filtered_tickets(session, principal, workspace, filters)
    return TicketStats.model_validate(await repository.ticket_stats(session, stmt))


async def ticket_activity(
    session: AsyncSession,
    ticket: Ticket,
    *,
    types: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> Page[ActivityRead]:
    """One keyset page of the ticket's timeline, oldest first."""
    after_id = 0
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        after_id = after if isinstance(after, int) else 0
    rows = await repository.ticket_events(
        session, ticket, types=types, since=since, until=until, after_id=after_id, limit=limit + 1
    )
    rows, next_cursor = keyset_page(rows, limit, lambda event: [event.id])
    items = [ActivityRead.model_validate(events.serialise(e)) for e in rows]
    return Page[ActivityRead](items=items, next_cursor=next_cursor)


async def merged_family(session: AsyncSession, ticket: Ticket) -> list[uuid.UUID]:
    """The ticket and every ticket merged into it, transitively: whose comments and files it
    shows."""
    return await repository.merged_family(session, ticket)


def ticket_key(workspace: Workspace, ticket: Ticket) -> str:
    return f"{workspace.ticket_prefix}-{ticket.number}"


async def ticket_read(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> TicketRead:
    ctx = await repository.load_context(session, workspace, [ticket])
    return repository.ticket_read(ticket, ctx)


async def ticket_reads(
    session: AsyncSession, workspace: Workspace, tickets: Sequence[Ticket]
) -> list[TicketRead]:
    """Many tickets as the API shows them, with their context loaded once."""
    ctx = await repository.load_context(session, workspace, tickets)
    return [repository.ticket_read(ticket, ctx) for ticket in tickets]


async def workspace_statuses(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Status]:
    """The workspace's statuses in their order (configuration: read once per process)."""

    async def load() -> Sequence[Status]:
        return await repository.statuses_in_order(session, workspace_id)

    return await config_cached(session, workspace_id, "statuses", load)


async def resolve_status(
    session: AsyncSession, workspace_id: uuid.UUID, name: str | None
) -> Status:
    """The status called `name`, or the first open-category one when no name is given."""
    for status in await workspace_statuses(session, workspace_id):
        if status.name == name or (name is None and status.category == "open"):
            return status
    raise ValidationFailed(f"Unknown status {name!r}; see GET /statuses.", loc=("body", "status"))


async def upsert_contact(
    session: AsyncSession, workspace_id: uuid.UUID, email: str, name: str | None
) -> Contact:
    """The workspace's contact with this email, created when new (read first: most requesters
    write again; the insert ignores a concurrent twin and the read after it finds either)."""
    contact = await repository.contact_by_email(session, workspace_id, email)
    if contact is None:
        await repository.insert_contact_unless_exists(session, workspace_id, email, name)
        contact = await repository.contact_by_email(session, workspace_id, email)
    assert contact is not None
    if name and not contact.name:
        contact.name = name
    return contact


async def ensure_labels(
    session: AsyncSession, workspace_id: uuid.UUID, names: list[str]
) -> dict[str, uuid.UUID]:
    """Label ids by name, creating the ones this workspace does not have yet."""
    unique = sorted(set(names))
    if not unique:
        return {}
    known = context(session).label_ids.setdefault(workspace_id, {})
    missing = [n for n in unique if n not in known]
    if missing:
        known.update(await repository.label_ids_by_name(session, workspace_id, missing))
        new = [n for n in missing if n not in known]
        if new:  # created on the fly; a concurrent twin is ignored and read back
            await repository.insert_labels_unless_exist(session, workspace_id, new)
            known.update(await repository.label_ids_by_name(session, workspace_id, new))
    return {n: known[n] for n in unique}


async def _remembered(
    session: AsyncSession,
    cache: dict[tuple[uuid.UUID, uuid.UUID], repository.UserOrTeam | None],
    model: type[repository.UserOrTeam],
    workspace_id: uuid.UUID,
    row_id: uuid.UUID,
) -> repository.UserOrTeam | None:
    """The workspace's user or team, looked up once per session (one request), like statuses:
    bulk changes check once."""
    if (workspace_id, row_id) not in cache:
        cache[workspace_id, row_id] = await repository.in_workspace_by_id(
            session, model, workspace_id, row_id
        )
    return cache[workspace_id, row_id]


async def check_assignee(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> User:
    user = await _remembered(session, context(session).assignees, User, workspace_id, user_id)
    if user is None or not user.active or user.role == "viewer":
        raise ValidationFailed(
            "The assignee must be an active agent or admin of this workspace.",
            loc=("body", "assignee_id"),
        )
    return user


async def check_team(session: AsyncSession, workspace_id: uuid.UUID, team_id: uuid.UUID) -> Team:
    team = await _remembered(session, context(session).teams, Team, workspace_id, team_id)
    if team is None:
        raise ValidationFailed("No such team in this workspace.", loc=("body", "team_id"))
    return team


def _ref(obj: User | Team | None) -> dict[str, Any] | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


# Creates in one workspace queue on its number counter until the holder commits. Admitting
# more than a few per process at once only moves that queue into PostgreSQL, where every
# waiter holds a connection and a lock slot and competes for this process's event loop with
# the holder, whose every resumption the whole queue waits for; the rest wait here, in order.
CREATES_AT_ONCE = 4
_create_gates: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[uuid.UUID, asyncio.Semaphore]
] = weakref.WeakKeyDictionary()  # per event loop: a semaphore belongs to one


async def _admit_create(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Hold one of the workspace's create slots until this transaction ends (re-entrant: a
    transaction that creates several tickets holds one slot)."""
    held = context(session).create_slots
    if workspace_id in held:
        return
    gates = _create_gates.setdefault(asyncio.get_running_loop(), {})
    gate = gates.get(workspace_id)
    if gate is None:
        gate = gates[workspace_id] = asyncio.Semaphore(CREATES_AT_ONCE)
    await gate.acquire()
    held.add(workspace_id)

    def release() -> None:
        held.discard(workspace_id)
        gate.release()

    on_end(session, release)


async def create_ticket(
    session: AsyncSession,
    workspace: Workspace,
    data: TicketCreate,
    *,
    actor: events.Actor,
    channel: str,
    created_at: datetime | None = None,
    conversation_id: uuid.UUID | None = None,
) -> Ticket:
    await _admit_create(session, workspace.id)
    status = await resolve_status(session, workspace.id, data.status)
    assignee = (
        await check_assignee(session, workspace.id, data.assignee_id) if data.assignee_id else None
    )
    team = await check_team(session, workspace.id, data.team_id) if data.team_id else None
    requester = (
        await upsert_contact(session, workspace.id, data.requester.email, data.requester.name)
        if data.requester
        else None
    )
    label_ids = await ensure_labels(session, workspace.id, data.labels)
    now = created_at or utcnow()
    ticket = Ticket(
        id=new_id(),
        workspace_id=workspace.id,
        subject=data.subject,
        description=data.description,
        status=status.name,
        status_category=status.category,
        status_changed_at=now,
        priority=data.priority,
        priority_rank=PRIORITY_RANK[data.priority],
        type=data.type,
        category=data.category,
        channel=channel,
        requester_id=requester.id if requester else None,
        assignee_id=assignee.id if assignee else None,
        team_id=team.id if team else None,
        custom_fields=data.custom_fields,
        conversation_id=conversation_id,
        created_at=now,
        updated_at=now,
        resolved_at=now if status.category in ("solved", "closed") else None,
        closed_at=now if status.category == "closed" else None,
        sla_state="none",
    )
    created = events.new_event(
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        type="ticket.created",
        actor=actor,
        data={
            "ticket": None,  # the key, once the ticket has its number
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "channel": ticket.channel,
            "labels": sorted(label_ids),
            "assignee": _ref(assignee),
            "team": _ref(team),
            "requester": {"id": requester.id, "email": requester.email} if requester else None,
        },
    )
    if dialect_name(session) == "postgresql":
        # the number, the row, its labels and its event in one statement (see insert_numbered)
        await repository.insert_numbered(
            session, workspace, ticket, list(label_ids.values()), created
        )
    else:  # one writer at a time: nobody queues behind the workspace row
        ticket.number = await repository.allocate_number(session, workspace.id)
        session.add(ticket)
        await session.flush()
        await repository.link_labels(session, ticket.id, list(label_ids.values()))
        created.data = {**created.data, "ticket": ticket_key(workspace, ticket)}
        session.add(created)
    events.announce_after_commit(session, [created])
    repository.remember_context(
        session, ticket, sorted(label_ids), contact=requester, user=assignee, team=team
    )
    await notify_observers(
        session, TicketChange(ticket=ticket, workspace=workspace, actor=actor, created=True)
    )
    return ticket


def check_if_match(ticket: Ticket, if_match: str | None) -> None:
    """412 unless `If-Match` names the ticket's current version (or is absent or `*`)."""
    if if_match is None:
        return
    candidates = [tag.strip() for tag in if_match.split(",")]
    if "*" in candidates:
        return
    current = str(ticket.version)
    for tag in candidates:
        if tag.removeprefix("W/").strip('"') == current:
            return
    raise VersionConflict(
        f"The ticket has changed since you read it (now version {ticket.version}); "
        "reload it and apply your change again."
    )


# -- deferred writes: a bulk change writes a chunk's label links and notifications at once ---


async def write_deferred(session: AsyncSession) -> None:
    """Write what a bulk chunk deferred (see db.start_deferring): unlinks, then inserts."""
    writes = stop_deferring(session)
    if writes is None:
        return
    await repository.unlink_label_pairs(session, writes.unlinked)
    for model, rows in writes.inserts.items():
        await repository.insert_rows(session, model, rows)
    await events.record_many(session, writes.events)


def remember_labels(session: AsyncSession, labels: dict[uuid.UUID, dict[str, uuid.UUID]]) -> None:
    """Tickets' current labels, loaded in one query by a bulk change (see ticket_labels)."""
    context(session).current_labels.update(labels)


def forget_known_labels(session: AsyncSession, ticket_ids: Sequence[uuid.UUID]) -> None:
    known = context(session).current_labels
    for ticket_id in ticket_ids:
        known.pop(ticket_id, None)


async def ticket_labels(session: AsyncSession, ticket_id: uuid.UUID) -> dict[str, uuid.UUID]:
    known = context(session).current_labels.get(ticket_id)
    if known is not None:
        return dict(known)
    return await repository.labels_of(session, ticket_id)


async def set_labels(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, names: list[str]
) -> tuple[list[str], list[str]] | None:
    """Replace the ticket's labels; returns (before, after) names, or None when unchanged."""
    repository.forget_labels(session, ticket.id)
    current = await ticket_labels(session, ticket.id)
    wanted = sorted(set(names))
    if sorted(current) == wanted:
        return None
    to_remove = [label_id for name, label_id in current.items() if name not in wanted]
    to_add = [name for name in wanted if name not in current]
    ids = await ensure_labels(session, workspace.id, to_add) if to_add else {}
    added = [{"ticket_id": ticket.id, "label_id": ids[name]} for name in to_add]
    writes = deferred(session)
    if writes is not None:
        writes.unlinked += [(ticket.id, label_id) for label_id in to_remove]
        writes.inserts[TicketLabel] += added
    else:
        await repository.unlink_labels(session, ticket.id, to_remove)
        await repository.insert_rows(session, TicketLabel, added)
    known = context(session).current_labels
    if ticket.id in known:
        known[ticket.id] = {name: current.get(name) or ids[name] for name in wanted}
    return sorted(current), wanted


async def change_status(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    status_name: str,
    *,
    actor: events.Actor,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    status = await resolve_status(session, workspace.id, status_name)
    if status.name == ticket.status:
        return None
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged into another; work on that ticket instead."
        )
    now = now or utcnow()
    before, before_category = ticket.status, ticket.status_category
    ticket.status, ticket.status_category, ticket.status_changed_at = (
        status.name,
        status.category,
        now,
    )
    reopened = before_category in ("solved", "closed") and status.category in ("open", "pending")
    if status.category == "solved":
        ticket.resolved_at, ticket.closed_at = now, None
    elif status.category == "closed":
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    elif reopened:
        ticket.resolved_at = ticket.closed_at = None
    change = {
        "from": before,
        "to": status.name,
        "from_category": before_category,
        "to_category": status.category,
    }
    key = ticket_key(workspace, ticket)
    events.record_ticket_event(
        session, ticket, "ticket.status_changed", actor, {"ticket": key, **change}
    )
    if reopened:
        reopening = {"ticket": key, "from": before, "to": status.name}
        events.record_ticket_event(session, ticket, "ticket.reopened", actor, reopening)
    return change


_SIMPLE_FIELDS = ("subject", "description", "type", "category", "custom_fields")


async def update_ticket(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    data: TicketUpdate,
    *,
    actor: events.Actor,
    if_match: str | None = None,
    flush: bool = True,
) -> TicketChange:
    """Apply a PATCH: each changed field writes its own `{"from","to"}` event.

    `flush=False` leaves the writes pending: a bulk change flushes a chunk of tickets at once
    (one executemany per statement shape instead of two round trips per ticket)."""
    check_if_match(ticket, if_match)
    fields = data.model_fields_set
    change = TicketChange(ticket=ticket, workspace=workspace, actor=actor)
    key = ticket_key(workspace, ticket)

    def emit(event_type: str, payload: dict[str, Any]) -> None:
        events.record_ticket_event(session, ticket, event_type, actor, {"ticket": key, **payload})

    for name in _SIMPLE_FIELDS:
        if name in fields:
            new, old = getattr(data, name), getattr(ticket, name)
            if new != old:
                setattr(ticket, name, new)
                change.changes[name] = {"from": old, "to": new}
                emit(f"ticket.{name}_changed", {"from": old, "to": new})
    if "priority" in fields and data.priority != ticket.priority:
        assert data.priority is not None
        change.changes["priority"] = {"from": ticket.priority, "to": data.priority}
        ticket.priority, ticket.priority_rank = data.priority, PRIORITY_RANK[data.priority]
        emit("ticket.priority_changed", change.changes["priority"])
    if "assignee_id" in fields and data.assignee_id != ticket.assignee_id:
        new_user = (
            await check_assignee(session, workspace.id, data.assignee_id)
            if data.assignee_id
            else None
        )
        old_user = await session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        ticket.assignee_id = new_user.id if new_user else None
        change.changes["assignee"] = {"from": _ref(old_user), "to": _ref(new_user)}
        emit("ticket.assigned", change.changes["assignee"])
    if "team_id" in fields and data.team_id != ticket.team_id:
        new_team = await check_team(session, workspace.id, data.team_id) if data.team_id else None
        old_team = await session.get(Team, ticket.team_id) if ticket.team_id else None
        ticket.team_id = new_team.id if new_team else None
        change.changes["team"] = {"from": _ref(old_team), "to": _ref(new_team)}
        emit("ticket.team_changed", change.changes["team"])
    if "labels" in fields and data.labels is not None:
        labels = await set_labels(session, workspace, ticket, data.labels)
        if labels is not None:
            before, after = labels
            change.changes["labels"] = {"from": before, "to": after}
            emit(
                "ticket.labels_changed",
                {
                    "from": before,
                    "to": after,
                    "added": sorted(set(after) - set(before)),
                    "removed": sorted(set(before) - set(after)),
                },
            )
    if "status" in fields and data.status is not None:
        status_change = await change_status(session, workspace, ticket, data.status, actor=actor)
        if status_change is not None:
            change.changes["status"] = status_change
    if change.changes:
        touch(ticket)
        await notify_observers(session, change)
        if flush:
            await session.flush()
    return change


def touch(ticket: Ticket, now: datetime | None = None) -> None:
    """Mark the ticket changed: one new version and updated_at per change, however many fields."""
    ticket.updated_at = now or utcnow()
    ticket.version += 1


async def reopen_ticket(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    *,
    actor: events.Actor,
    if_match: str | None = None,
) -> TicketChange:
    if ticket.status_category not in ("solved", "closed"):
        raise TransitionNotAllowed("Only resolved or closed tickets can be reopened.")
    status = await resolve_status(session, workspace.id, None)
    return await update_ticket(
        session,
        workspace,
        ticket,
        TicketUpdate(status=status.name),
        actor=actor,
        if_match=if_match,
    )
