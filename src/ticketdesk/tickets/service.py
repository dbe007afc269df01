"""The rules of a ticket's life: creation, changes, status categories, events."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal, role_for_scopes
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
from ticketdesk.fields import service as field_rules
from ticketdesk.fields.service import TicketShape
from ticketdesk.fields.values import is_empty
from ticketdesk.models import (
    ApiToken,
    Contact,
    Status,
    Team,
    Ticket,
    TicketLabel,
    User,
    Workspace,
)
from ticketdesk.models.ticket import PRIORITY_RANK
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.schemas import Page
from ticketdesk.ticket_types import service as ticket_types
from ticketdesk.ticket_types.schemas import ApprovalRead
from ticketdesk.ticket_types.service import TypeDef
from ticketdesk.tickets import repository
from ticketdesk.tickets.filters import TicketFilters
from ticketdesk.tickets.schemas import (
    ActivityRead,
    TicketCreate,
    TicketRead,
    TicketStats,
    TicketUpdate,
    TransitionOption,
    TransitionsRead,
)


@dataclass
class TicketChange:
    """What one create or update did, for observers (SLA, automations) in the same transaction.

    `approval`: the change needs an approver's yes; nothing was changed, the approval waits.
    `left_empty`: on a create, the fields triage may fill in (the creator left them empty;
    none for imports and splits, which arrive as they stood)."""

    ticket: Ticket
    workspace: Workspace
    actor: events.Actor
    created: bool = False
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    approval: ApprovalRead | None = None
    left_empty: frozenset[str] = frozenset()


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
    stmt = await repository.apply_filters(
        session, repository.readable_statement(principal), filters, principal, workspace
    )
    if filters.custom:
        wanted = [(f.key, f.op, f.values) for f in filters.custom]
        stmt = stmt.where(*await field_rules.filter_conditions(session, workspace.id, wanted))
    return stmt


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
    """Unfiltered stats of a caller who sees the whole workspace come from its counters (exact,
    milliseconds at a million tickets); any filter, or a narrower scope, counts the tickets."""
    if repository.sees_whole_workspace(principal) and _unfiltered(filters):
        return TicketStats.model_validate(await repository.counted_stats(session, principal))
    stmt = await filtered_tickets(session, principal, workspace, filters)
    return TicketStats.model_validate(await repository.ticket_stats(session, stmt))


def _unfiltered(filters: TicketFilters) -> bool:
    """No filter narrows the tickets (the sort does not change what is counted)."""
    return replace(filters, sort=TicketFilters().sort) == TicketFilters()


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


# -- ticket types and custom fields: what every write is checked against ---------------------


async def actor_role(session: AsyncSession, actor: events.Actor, role: str | None) -> str | None:
    """The role a lifecycle checks: the caller's (a person's or an API token's, looked up
    when not given); None for ticketdesk itself and for customers, whom only the lifecycle and
    the required fields bind."""
    if actor.kind not in ("user", "api_token"):
        return None
    if role is not None:
        return role
    if actor.kind == "user":
        user = await session.get(User, actor.id)
        return user.role if user is not None else "agent"
    token = await session.get(ApiToken, actor.id)
    return role_for_scopes(list(token.scopes)) if token is not None else "agent"


def _id_text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def ticket_facts(ticket: Ticket) -> dict[str, Any]:
    """What lifecycles and approval gates look at on a ticket, by name (custom field keys
    never shadow these: they are reserved)."""
    return {
        **(ticket.custom_fields or {}),
        "status": ticket.status,
        "type": ticket.type,
        "category": ticket.category,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "assignee": _id_text(ticket.assignee_id),
        "team": _id_text(ticket.team_id),
        "description": ticket.description,
        "subject": ticket.subject,
    }


_FACT_NAMES = {"assignee_id": "assignee", "team_id": "team"}
_ATTRIBUTES = (
    "status",
    "type",
    "category",
    "priority",
    "channel",
    "assignee",
    "team",
    "description",
    "subject",
)


def _projected(ticket: Ticket, data: TicketUpdate, custom: dict[str, Any]) -> dict[str, Any]:
    """The ticket's facts once `data` (with these custom fields) is applied."""
    current = ticket_facts(ticket)
    facts = {**custom, **{name: current[name] for name in _ATTRIBUTES}}
    fields_set = data.model_fields_set
    for name in ("status", "type", "category", "priority", "description", "subject"):
        if name in fields_set and (name in ("type", "category") or getattr(data, name) is not None):
            facts[name] = getattr(data, name)
    if "assignee_id" in fields_set:
        facts["assignee"] = _id_text(data.assignee_id)
    if "team_id" in fields_set:
        facts["team"] = _id_text(data.team_id)
    return facts


async def _labels_of_fields(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, str]:
    return await field_rules.field_labels(session, workspace_id)


@dataclass
class _Checked:
    """What the rules made of an update: the custom fields to store (None: untouched), or the
    approval it now waits for."""

    custom_fields: dict[str, Any] | None = None
    approval: ApprovalRead | None = None


async def _check_update(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    data: TicketUpdate,
    *,
    actor: events.Actor,
    role: str | None,
    approved: bool,
) -> _Checked:
    """Check an update against the field definitions and the ticket type's lifecycle before
    anything changes: a refused change raises (409, 403 or 422); a gated one opens an
    approval instead (the caller then changes nothing). A workspace without field definitions
    and a type without rules cost no query here (both are cached configuration)."""
    fields_set = data.model_fields_set
    types = await ticket_types.ticket_types(session, workspace.id)
    type_key = data.type if "type" in fields_set else ticket.type
    type_changed = "type" in fields_set and data.type != ticket.type
    ticket_type = ticket_types.check_type(types, data.type) if type_changed else types.get(type_key)
    new_status = ticket.status
    if "status" in fields_set and data.status is not None:
        new_status = (await resolve_status(session, workspace.id, data.status)).name
    status_changing = new_status != ticket.status
    checked = _Checked()
    if "custom_fields" in fields_set or type_changed:
        category = data.category if "category" in fields_set else ticket.category
        checked.custom_fields = await field_rules.check_values(
            session,
            workspace.id,
            current=ticket.custom_fields or {},
            incoming=data.custom_fields if "custom_fields" in fields_set else None,
            shape=TicketShape(
                type=type_key,
                category=category,
                priority=data.priority or ticket.priority,
                channel=ticket.channel,
                status=new_status,
            ),
            type_changed=type_changed,
        )
    if ticket_type is None or not ticket_type.restricted:
        return checked
    if not status_changing and not type_changed:
        return checked
    statuses = [s.name for s in await workspace_statuses(session, workspace.id)]
    if not status_changing:  # a new type: the ticket's status must be one of its statuses
        ticket_types.check_status(ticket_type, ticket.status, statuses, current=ticket.status)
        return checked
    if ticket.merged_into_id is not None:
        return checked  # change_status refuses it, with the reason
    role = await actor_role(session, actor, role)
    ticket_types.check_transition(ticket_type, ticket.status, new_status, statuses, role)
    custom = checked.custom_fields if checked.custom_fields is not None else ticket.custom_fields
    facts = _projected(ticket, data, dict(custom or {}))
    if ticket_type.required_fields.get(new_status):
        labels = await _labels_of_fields(session, workspace.id)
        ticket_types.missing_required(ticket_type, new_status, facts, labels)
    if approved:
        return checked
    gate = ticket_types.approval_gate(ticket_type, new_status, facts, role)
    if gate is None:
        return checked
    current = ticket_facts(ticket)
    watched = {"status", "type"} | ticket_types.gate_fields(ticket_type)
    for name in fields_set:
        if name == "custom_fields":
            watched |= set(data.custom_fields or {})
        elif name != "labels":
            watched.add(_FACT_NAMES.get(name, name))
    checked.approval = await ticket_types.open_approval(
        session,
        ticket,
        ticket_key(workspace, ticket),
        changes=data.model_dump(mode="json", exclude_unset=True),
        snapshot={name: current.get(name) for name in sorted(watched)},
        rule=gate,
        actor=actor,
        role=role,
    )
    return checked


async def _check_create(
    session: AsyncSession,
    workspace: Workspace,
    data: TicketCreate,
    *,
    channel: str,
    autofill: Mapping[str, str | None] | None,
) -> tuple[Status, dict[str, Any]]:
    """The status a new ticket starts in and its custom fields in their stored form, checked
    against its type and the field definitions (refusals raise 409 or 422)."""
    types = await ticket_types.ticket_types(session, workspace.id)
    ticket_type = ticket_types.check_type(types, data.type)
    status = await _initial_status(session, workspace.id, data.status, ticket_type)
    sources: dict[str, str | None] = {"channel": channel}
    if data.requester is not None:
        sources["requester.domain"] = data.requester.email.rpartition("@")[2]
    sources.update(autofill or {})
    custom = await field_rules.check_values(
        session,
        workspace.id,
        current={},
        incoming=data.custom_fields,
        shape=TicketShape(
            type=data.type,
            category=data.category,
            priority=data.priority,
            channel=channel,
            status=status.name,
        ),
        creating=True,
        # an email's sender cannot fill in fields: the desk takes the message anyway
        enforce_required=channel != "email",
        autofill=sources,
    )
    if ticket_type is not None and ticket_type.required_fields.get(status.name):
        facts = {
            **custom,
            "category": data.category,
            "assignee": _id_text(data.assignee_id),
            "team": _id_text(data.team_id),
            "description": data.description,
        }
        labels = await _labels_of_fields(session, workspace.id)
        ticket_types.missing_required(ticket_type, status.name, facts, labels)
    return status, custom


async def _initial_status(
    session: AsyncSession, workspace_id: uuid.UUID, name: str | None, ticket_type: TypeDef | None
) -> Status:
    """The status asked for (one the type allows), else the type's initial status, else the
    first open one (or the type's first status when it does not allow that)."""
    if name is None and ticket_type is not None and ticket_type.initial_status:
        name = ticket_type.initial_status
    status = await resolve_status(session, workspace_id, name)
    if ticket_type is None or ticket_type.statuses is None:
        return status
    statuses = await workspace_statuses(session, workspace_id)
    if name is None and status.name not in ticket_type.statuses:
        return next(s for s in statuses if s.name in ticket_type.statuses)
    ticket_types.check_status(ticket_type, status.name, [s.name for s in statuses], current=None)
    return status


async def available_transitions(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, *, actor: events.Actor, role: str
) -> TransitionsRead:
    """The statuses this caller can move this ticket to, with what each needs (the SPA's
    status menu): fields still to fill in, and whether an approver must agree."""
    types = await ticket_types.ticket_types(session, workspace.id)
    ticket_type = types.get(ticket.type)
    statuses = await workspace_statuses(session, workspace.id)
    names = [s.name for s in statuses]
    reachable = (
        ticket_types.reachable(ticket_type, ticket.status, names, role)
        if ticket.merged_into_id is None
        else []
    )
    facts = ticket_facts(ticket)
    options = []
    for status in statuses:
        if status.name not in reachable:
            continue
        required = list(ticket_type.required_fields.get(status.name, ())) if ticket_type else []
        gate = ticket_types.approval_gate(
            ticket_type, status.name, {**facts, "status": status.name}, role
        )
        options.append(
            TransitionOption(
                status=status.name,
                label=status.label,
                category=status.category,
                required_fields=required,
                missing_fields=[n for n in required if is_empty(facts.get(n))],
                needs_approval=gate is not None,
                approver_roles=list(gate.get("approver_roles", ())) if gate else [],
            )
        )
    return TransitionsRead(
        ticket=ticket_key(workspace, ticket),
        status=ticket.status,
        type=ticket.type,
        transitions=options,
    )


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
    autofill: Mapping[str, str | None] | None = None,
    suggest: bool = True,
) -> Ticket:
    """Open a ticket, checked against its type and the custom field definitions.

    `autofill`: facts of the conversation (`visitor.country`, …) for fields filled in
    automatically; the channel and the requester's domain are known here. `suggest=False`
    (imports, splits): nothing the creator left empty is filled in by triage."""
    await _admit_create(session, workspace.id)
    status, custom_fields = await _check_create(
        session, workspace, data, channel=channel, autofill=autofill
    )
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
        custom_fields=custom_fields,
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
        created_at=now,  # an import's own time: reports measure from it
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
    remember_labels(session, {ticket.id: dict(label_ids)})  # the observers ask for them
    await notify_observers(
        session,
        TicketChange(
            ticket=ticket,
            workspace=workspace,
            actor=actor,
            created=True,
            left_empty=left_empty(data) if suggest else frozenset(),
        ),
    )
    return ticket


def left_empty(data: TicketCreate) -> frozenset[str]:
    """The fields of a new ticket its creator did not give (a priority not sent is empty even
    though it defaults to normal)."""
    empty = {
        "type": data.type is None,
        "category": data.category is None,
        "priority": "priority" not in data.model_fields_set,
        "team": data.team_id is None,
        "labels": not data.labels,
    }
    return frozenset(name for name, is_empty in empty.items() if is_empty)


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
    role: str | None = None,
    checked: bool = False,
) -> dict[str, Any] | None:
    """Move the ticket to another status, as its type's lifecycle allows (`checked`: the
    caller, update_ticket, has already checked it). A move that needs an approver cannot be
    made this way (409): it goes through a PATCH, which asks for the approval."""
    status = await resolve_status(session, workspace.id, status_name)
    if status.name == ticket.status:
        return None
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged into another; work on that ticket instead."
        )
    if not checked:
        await _check_status_change(session, workspace, ticket, status.name, actor, role)
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
    # stamped with the move's own time (a caller that gives `now`, as the merge does)
    events.record_ticket_event(
        session, ticket, "ticket.status_changed", actor, {"ticket": key, **change}, created_at=now
    )
    if reopened:
        reopening = {"ticket": key, "from": before, "to": status.name}
        events.record_ticket_event(
            session, ticket, "ticket.reopened", actor, reopening, created_at=now
        )
    return change


async def _check_status_change(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    target: str,
    actor: events.Actor,
    role: str | None,
) -> None:
    """A status change outside update_ticket (a merge closing its source): the lifecycle, the
    role and the required fields of the target status; a gated move is refused."""
    ticket_type = (await ticket_types.ticket_types(session, workspace.id)).get(ticket.type)
    if ticket_type is None or not ticket_type.restricted:
        return
    statuses = [s.name for s in await workspace_statuses(session, workspace.id)]
    role = await actor_role(session, actor, role)
    ticket_types.check_transition(ticket_type, ticket.status, target, statuses, role)
    facts = {**ticket_facts(ticket), "status": target}
    if ticket_type.required_fields.get(target):
        labels = await _labels_of_fields(session, workspace.id)
        ticket_types.missing_required(ticket_type, target, facts, labels)
    if ticket_types.approval_gate(ticket_type, target, facts, role) is not None:
        raise TransitionNotAllowed(
            f"Moving {ticket_key(workspace, ticket)} to {target!r} needs an approver; change "
            "its status (PATCH) to ask for the approval first."
        )


_SIMPLE_FIELDS = ("subject", "description", "type", "category")


async def update_ticket(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    data: TicketUpdate,
    *,
    actor: events.Actor,
    if_match: str | None = None,
    flush: bool = True,
    role: str | None = None,
    approved: bool = False,
) -> TicketChange:
    """Apply a PATCH: each changed field writes its own `{"from","to"}` event.

    Everything is checked first, against the custom field definitions and the ticket type's
    lifecycle (`role`: the caller's, looked up when not given; `approved`: an approver said
    yes, so no approval gate applies). A change that needs approval changes nothing: the
    result carries the approval it opened. `custom_fields` merges into the ticket's (null
    clears a field).

    `flush=False` leaves the writes pending: a bulk change flushes a chunk of tickets at once
    (one executemany per statement shape instead of two round trips per ticket)."""
    check_if_match(ticket, if_match)
    fields_set = data.model_fields_set
    change = TicketChange(ticket=ticket, workspace=workspace, actor=actor)
    checked = await _check_update(
        session, workspace, ticket, data, actor=actor, role=role, approved=approved
    )
    if checked.approval is not None:
        change.approval = checked.approval
        return change
    fields = fields_set
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
    if checked.custom_fields is not None and checked.custom_fields != (ticket.custom_fields or {}):
        old_values, new_values = dict(ticket.custom_fields or {}), checked.custom_fields
        ticket.custom_fields = new_values
        change.changes["custom_fields"] = {"from": old_values, "to": new_values}
        changed_keys = sorted(
            k for k in set(old_values) | set(new_values) if old_values.get(k) != new_values.get(k)
        )
        emit(
            "ticket.custom_fields_changed",
            {"from": old_values, "to": new_values, "changed": changed_keys},
        )
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
        status_change = await change_status(
            session, workspace, ticket, data.status, actor=actor, checked=True
        )
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
    role: str | None = None,
) -> TicketChange:
    if ticket.status_category not in ("solved", "closed"):
        raise TransitionNotAllowed("Only resolved or closed tickets can be reopened.")
    status = await reopen_status(session, workspace, ticket)
    return await update_ticket(
        session,
        workspace,
        ticket,
        TicketUpdate(status=status.name),
        actor=actor,
        if_match=if_match,
        role=role,
    )


async def reopen_status(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> Status:
    """Where a ticket goes back to: its type's initial status, else the first open one."""
    ticket_type = (await ticket_types.ticket_types(session, workspace.id)).get(ticket.type)
    return await _initial_status(session, workspace.id, None, ticket_type)
