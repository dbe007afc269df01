"""Ticket queries. Every statement starts from readable_statement(principal): the tenant scope."""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from ticketdesk.auth.principal import Principal
from ticketdesk.db import dialect_name, insert_ignoring_conflicts, new_id, utcnow
from ticketdesk.models import (
    Contact,
    Event,
    Label,
    Status,
    Team,
    Ticket,
    TicketCount,
    TicketLabel,
    TicketWatcher,
    User,
    Workspace,
)
from ticketdesk.models.ticket import contact_domain
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.tickets.filters import TicketFilters
from ticketdesk.tickets.schemas import TicketRead

KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})$")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def in_workspace(model: Any, workspace_id: Any) -> ColumnElement[bool]:
    """The tenant condition every query of this room goes through (a value or a bindparam)."""
    condition: ColumnElement[bool] = model.workspace_id == workspace_id
    return condition


def _scope(principal: Principal) -> list[ColumnElement[bool]]:
    """What makes a ticket the caller's. Every role sees its whole workspace today; a
    narrower scope added here also turns off the counted stats (sees_whole_workspace)."""
    return [in_workspace(Ticket, principal.workspace_id)]


def readable_statement(principal: Principal) -> Select[Ticket]:
    """The caller's tickets: every ticket query starts here."""
    return select(Ticket).where(*_scope(principal))


def sees_whole_workspace(principal: Principal) -> bool:
    """Whether the caller's tickets are all of the workspace's: then ticket_counts is theirs."""
    return len(_scope(principal)) == 1


async def _lock(
    session: AsyncSession, principal: Principal, where: ColumnElement[bool]
) -> Sequence[Ticket]:
    stmt = readable_statement(principal).where(where).order_by(Ticket.id).with_for_update()
    return (await session.scalars(stmt)).all()


async def lock_by_numbers(
    session: AsyncSession, principal: Principal, numbers: Collection[int]
) -> Sequence[Ticket]:
    return await _lock(session, principal, Ticket.number.in_(list(numbers)))


async def lock_by_ids(
    session: AsyncSession, principal: Principal, ids: Collection[uuid.UUID]
) -> Sequence[Ticket]:
    return await _lock(session, principal, Ticket.id.in_(list(ids)))


async def merged_family(session: AsyncSession, ticket: Ticket) -> list[uuid.UUID]:
    """The ticket and every ticket merged into it (directly or through a chain of merges)."""
    family = [ticket.id]
    frontier = [ticket.id]
    while frontier:
        stmt = select(Ticket.id).where(
            Ticket.merged_into_id.in_(frontier), in_workspace(Ticket, ticket.workspace_id)
        )
        frontier = [t for t in await session.scalars(stmt) if t not in family]
        family.extend(frontier)
    return family


async def statuses_in_order(session: AsyncSession, workspace_id: uuid.UUID) -> tuple[Status, ...]:
    stmt = (
        select(Status)
        .where(in_workspace(Status, workspace_id))
        .order_by(Status.position, Status.name)
    )
    return tuple((await session.scalars(stmt)).all())


_CONTACT_BY_EMAIL = select(Contact).where(
    in_workspace(Contact, bindparam("workspace_id")), Contact.email == bindparam("email")
)
_LABELS_BY_NAME = select(Label.name, Label.id).where(
    in_workspace(Label, bindparam("workspace_id")),
    Label.name.in_(bindparam("names", expanding=True)),
)


async def contact_by_email(
    session: AsyncSession, workspace_id: uuid.UUID, email: str
) -> Contact | None:
    contact: Contact | None = await session.scalar(
        _CONTACT_BY_EMAIL, {"workspace_id": workspace_id, "email": email}
    )
    return contact


async def insert_contact_unless_exists(
    session: AsyncSession, workspace_id: uuid.UUID, email: str, name: str | None
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a concurrent twin wins, and the caller reads it back."""
    row = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "email": email,
        "name": name,
        "created_at": utcnow(),
    }
    await insert_ignoring_conflicts(session, Contact, [row], ["workspace_id", "email"])


async def label_ids_by_name(
    session: AsyncSession, workspace_id: uuid.UUID, names: Sequence[str]
) -> dict[str, uuid.UUID]:
    found = await session.execute(
        _LABELS_BY_NAME, {"workspace_id": workspace_id, "names": list(names)}
    )
    return {name: label_id for name, label_id in found}


async def insert_labels_unless_exist(
    session: AsyncSession, workspace_id: uuid.UUID, names: Sequence[str]
) -> None:
    now = utcnow()
    rows = [
        {"id": new_id(), "workspace_id": workspace_id, "name": n, "created_at": now} for n in names
    ]
    await insert_ignoring_conflicts(session, Label, rows, ["workspace_id", "name"])


UserOrTeam = TypeVar("UserOrTeam", User, Team)


async def in_workspace_by_id(
    session: AsyncSession, model: type[UserOrTeam], workspace_id: uuid.UUID, row_id: uuid.UUID
) -> UserOrTeam | None:
    """The user or team with this id, if it is of this workspace."""
    row: UserOrTeam | None = await session.scalar(
        select(model).where(model.id == row_id, in_workspace(model, workspace_id))
    )
    return row


async def allocate_number(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    """The next ticket number: an atomic increment, so concurrent creates never share one."""
    result = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(next_ticket_number=Workspace.next_ticket_number + 1)
        .returning(Workspace.next_ticket_number)
        .execution_options(synchronize_session=False)
    )
    return int(result.scalar_one()) - 1


async def labels_of(session: AsyncSession, ticket_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(Label.name, Label.id)
        .join(TicketLabel, TicketLabel.label_id == Label.id)
        .where(TicketLabel.ticket_id == ticket_id)
    )
    return dict(rows.all())


async def link_labels(
    session: AsyncSession, ticket_id: uuid.UUID, label_ids: Sequence[uuid.UUID]
) -> None:
    if label_ids:
        rows = [{"ticket_id": ticket_id, "label_id": label_id} for label_id in label_ids]
        await session.execute(insert(TicketLabel), rows)


async def unlink_labels(
    session: AsyncSession, ticket_id: uuid.UUID, label_ids: Sequence[uuid.UUID]
) -> None:
    if label_ids:
        await session.execute(
            delete(TicketLabel).where(
                TicketLabel.ticket_id == ticket_id, TicketLabel.label_id.in_(label_ids)
            )
        )


async def unlink_label_pairs(
    session: AsyncSession, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Remove (ticket, label) links in batches (a bulk chunk's deferred unlinks)."""
    for start in range(0, len(pairs), 500):
        part = list(pairs[start : start + 500])
        await session.execute(
            delete(TicketLabel).where(tuple_(TicketLabel.ticket_id, TicketLabel.label_id).in_(part))
        )


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT of plain rows (label links, notifications of a bulk chunk)."""
    if rows:
        await session.execute(insert(model), list(rows))


async def ticket_events(
    session: AsyncSession,
    ticket: Ticket,
    *,
    types: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    after_id: int,
    limit: int,
) -> Sequence[Event]:
    stmt = select(Event).where(
        Event.ticket_id == ticket.id, in_workspace(Event, ticket.workspace_id)
    )
    if types:
        stmt = stmt.where(Event.type.in_(types))
    if since:
        stmt = stmt.where(Event.created_at >= since)
    if until:
        stmt = stmt.where(Event.created_at < until)
    if after_id:
        stmt = stmt.where(Event.id > after_id)
    return (await session.scalars(stmt.order_by(Event.id).limit(limit))).all()


async def find_ticket(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ref: str,
    *,
    for_update: bool = False,
) -> Ticket | None:
    """A ticket by key (`TKT-42`, any case) or id, within the caller's workspace."""
    stmt = readable_statement(principal)
    match = KEY_RE.match(ref.strip())
    if match:
        if match.group(1).upper() != workspace.ticket_prefix.upper():
            return None
        stmt = stmt.where(Ticket.number == int(match.group(2)))
    else:
        try:
            stmt = stmt.where(Ticket.id == uuid.UUID(ref))
        except ValueError:
            return None
    if for_update:
        stmt = stmt.with_for_update()
    ticket: Ticket | None = await session.scalar(stmt)
    return ticket


def _search_condition(session: AsyncSession, q: str) -> ColumnElement[bool]:
    words = _WORD_RE.findall(q)
    if not words:
        return false()
    if dialect_name(session) == "postgresql":
        return literal_column("tickets.search_vector").op("@@")(
            func.websearch_to_tsquery("english", q)
        )
    fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words[:20])
    return literal_column("tickets.rowid").in_(
        text("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH :fts").bindparams(fts=fts_query)
    )


RARE_MATCHES = 1000


async def _narrow_rare_search(
    session: AsyncSession, workspace_id: uuid.UUID, q: str, condition: ColumnElement[bool]
) -> ColumnElement[bool]:
    """Pin a rare search to its few matches, so the page never walks the whole index.

    PostgreSQL cannot estimate how many rows a word it has no statistics for matches: for
    `ORDER BY created_at LIMIT n` it then walks the created_at index and tests every row,
    which for a word matching nothing means all of them (seconds at a million tickets). So
    the matches are first counted through the GIN index alone, up to RARE_MATCHES (a bitmap
    scan that stops at the limit; the planner is told to use nothing else for it). A rare
    word's page then reads just those ids; a common word keeps the plain condition, whose
    statistics are good and whose matches are dense along the created_at index. Words the
    statistics know to be common (the planner's estimate, one EXPLAIN) skip the count.
    """
    plan = await session.scalar(
        text(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM tickets WHERE workspace_id = :workspace_id "
            "AND search_vector @@ websearch_to_tsquery('english', :q)"
        ).bindparams(workspace_id=workspace_id, q=q)
    )
    plan = json.loads(plan) if isinstance(plan, str) else plan
    if plan[0]["Plan"]["Plan Rows"] >= 10 * RARE_MATCHES:
        return condition
    await session.execute(
        text(
            "SELECT set_config('enable_seqscan', 'off', true), "
            "set_config('enable_indexscan', 'off', true)"
        )
    )
    try:
        ids = (
            await session.scalars(
                select(Ticket.id)
                .where(in_workspace(Ticket, workspace_id), condition)
                .limit(RARE_MATCHES + 1)
            )
        ).all()
    finally:
        await session.execute(
            text(
                "SELECT set_config('enable_seqscan', 'on', true), "
                "set_config('enable_indexscan', 'on', true)"
            )
        )
    if len(ids) > RARE_MATCHES:
        return condition
    # the condition stays: a ticket edited since the count must still match
    return and_(Ticket.id == any_(bindparam("search_ids", list(ids), type_=ARRAY(Uuid))), condition)


async def _q_condition(session: AsyncSession, workspace: Workspace, q: str) -> ColumnElement[bool]:
    """`TKT-301` or `#TKT-301` is that ticket; a bare `301` (or `#301`) is ticket 301 or any
    ticket whose text holds the word 301; anything else is a full-text search."""
    ref = q.strip().removeprefix("#").strip()
    match = KEY_RE.match(ref)
    if match and match.group(1).upper() == workspace.ticket_prefix.upper():
        return Ticket.number == int(match.group(2))
    condition = _search_condition(session, q)
    if dialect_name(session) == "postgresql":
        condition = await _narrow_rare_search(session, workspace.id, q, condition)
    if ref.isascii() and ref.isdigit() and len(ref) <= 9:
        return or_(Ticket.number == int(ref), condition)
    return condition


def _end_of_day(now: datetime, tz: ZoneInfo, days: int) -> datetime:
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return midnight.replace(tzinfo=tz)


def _any_of(stmt: Select[Any], column: Any, values: Sequence[Any]) -> Select[Any]:
    """The statement narrowed to rows whose column is one of the values (none given: all)."""
    return stmt.where(column.in_(values)) if values else stmt


async def apply_filters(
    session: AsyncSession,
    stmt: Select[Any],
    filters: TicketFilters,
    principal: Principal,
    workspace: Workspace,
) -> Select[Any]:
    stmt = _any_of(stmt, Ticket.status, filters.status)
    stmt = _any_of(stmt, Ticket.status_category, filters.status_category)
    stmt = _any_of(stmt, Ticket.priority, filters.priority)
    if filters.assignee:
        conditions: list[ColumnElement[bool]] = []
        ids: list[uuid.UUID] = []
        for value in filters.assignee:
            if value == "none":
                conditions.append(Ticket.assignee_id.is_(None))
            elif value == "me":
                if principal.user_id is not None:
                    ids.append(principal.user_id)
            else:
                ids.append(uuid.UUID(value))
        if ids:
            conditions.append(Ticket.assignee_id.in_(ids))
        stmt = stmt.where(or_(*conditions) if conditions else false())
    stmt = _any_of(stmt, Ticket.team_id, filters.team)
    if filters.watching:
        me = [principal.user_id] if principal.user_id is not None else []
        watcher_ids = [
            watcher
            for value in filters.watching
            for watcher in (me if value == "me" else [uuid.UUID(value)])
        ]
        stmt = stmt.where(
            exists().where(
                TicketWatcher.ticket_id == Ticket.id, TicketWatcher.user_id.in_(watcher_ids)
            )
            if watcher_ids
            else false()
        )
    if filters.label:
        # all of the labels: one EXISTS per name, the label looked up inside the statement
        # (an unknown name matches nothing) so the filter costs no extra round trip
        for name in sorted(set(filters.label)):
            label_id = (
                select(Label.id)
                .where(in_workspace(Label, workspace.id), Label.name == name)
                .scalar_subquery()
            )
            stmt = stmt.where(
                exists().where(TicketLabel.ticket_id == Ticket.id, TicketLabel.label_id == label_id)
            )
    stmt = _any_of(stmt, Ticket.type, filters.type)
    stmt = _any_of(stmt, Ticket.category, filters.category)
    stmt = _any_of(stmt, Ticket.channel, filters.channel)
    if filters.requester:
        stmt = stmt.where(
            Ticket.requester_id.in_(
                select(Contact.id).where(
                    in_workspace(Contact, workspace.id), Contact.email.in_(filters.requester)
                )
            )
        )
    if filters.organization:  # the contacts' (workspace_id, domain) index, then the requester one
        domain = contact_domain(dialect_name(session))
        stmt = stmt.where(
            Ticket.requester_id.in_(
                select(Contact.id).where(
                    in_workspace(Contact, workspace.id), domain.in_(filters.organization)
                )
            )
        )
    if filters.sla:
        now = utcnow()
        tz = ZoneInfo(workspace.timezone)
        sla_conditions: list[ColumnElement[bool]] = []
        for value in filters.sla:
            if value == "overdue":
                sla_conditions.append(Ticket.due_at < now)
            elif value == "at_risk":
                # 80 % of the target gone, not yet due (the sweep does not rewrite tickets)
                sla_conditions.append(
                    and_(
                        Ticket.due_at > now,
                        or_(
                            Ticket.sla_state == "at_risk",
                            and_(Ticket.sla_state == "ok", Ticket.sla_warn_at <= now),
                        ),
                    )
                )
            elif value == "due_today":
                sla_conditions.append(Ticket.due_at.between(now, _end_of_day(now, tz, 1)))
            elif value == "due_this_week":
                days_left = 7 - now.astimezone(tz).weekday()
                sla_conditions.append(Ticket.due_at.between(now, _end_of_day(now, tz, days_left)))
        stmt = stmt.where(or_(*sla_conditions))
    if filters.q:
        stmt = stmt.where(await _q_condition(session, workspace, filters.q))
    if filters.created_after:
        stmt = stmt.where(Ticket.created_at >= filters.created_after)
    if filters.created_before:
        stmt = stmt.where(Ticket.created_at < filters.created_before)
    if filters.updated_after:
        stmt = stmt.where(Ticket.updated_at >= filters.updated_after)
    return stmt


_SORT_COLUMNS: dict[str, tuple[list[Any], bool]] = {
    "-created_at": ([Ticket.created_at, Ticket.id], True),
    "created_at": ([Ticket.created_at, Ticket.id], False),
    "-updated_at": ([Ticket.updated_at, Ticket.id], True),
    "updated_at": ([Ticket.updated_at, Ticket.id], False),
    "-priority": ([Ticket.priority_rank, Ticket.created_at, Ticket.id], True),
    "priority": ([Ticket.priority_rank, Ticket.created_at, Ticket.id], False),
}


def _sort_values(ticket: Ticket, sort: str) -> list[Any]:
    if sort == "due":
        return [ticket.due_at, ticket.id]
    columns, _ = _SORT_COLUMNS[sort]
    return [getattr(ticket, column.key) for column in columns]


async def page_of_tickets(
    session: AsyncSession, stmt: Select[Ticket], sort: str, limit: int, cursor: str | None
) -> tuple[Sequence[Ticket], str | None]:
    """One keyset page: rows strictly after the cursor's sort key, in a total order."""
    if sort == "due":
        stmt = stmt.order_by(Ticket.due_at.asc().nulls_last(), Ticket.id.asc())
        if cursor:
            due, last_id = decode_cursor(cursor, 2)
            if due is None:
                stmt = stmt.where(Ticket.due_at.is_(None), Ticket.id > last_id)
            else:
                stmt = stmt.where(
                    or_(
                        tuple_(Ticket.due_at, Ticket.id) > tuple_(due, last_id),
                        Ticket.due_at.is_(None),
                    )
                )
    else:
        columns, descending = _SORT_COLUMNS[sort]
        stmt = stmt.order_by(*(c.desc() if descending else c.asc() for c in columns))
        if cursor:
            values = decode_cursor(cursor, len(columns))
            key = tuple_(*columns)
            stmt = stmt.where(key < tuple_(*values) if descending else key > tuple_(*values))
    rows = (await session.scalars(stmt.limit(limit + 1))).all()
    return keyset_page(rows, limit, lambda ticket: _sort_values(ticket, sort))


@dataclass
class TicketContext:
    """What a page of tickets refers to, loaded in one query per kind (no N+1)."""

    prefix: str
    labels: dict[uuid.UUID, list[str]]
    contacts: dict[uuid.UUID, Contact]
    users: dict[uuid.UUID, User]
    teams: dict[uuid.UUID, Team]
    ticket_numbers: dict[uuid.UUID, int]


_KNOWN = "ticketdesk.ticket_context"


@dataclass
class _Known:
    labels: list[str]
    contact: Contact | None
    user: User | None
    team: Team | None


def remember_context(
    session: AsyncSession,
    ticket: Ticket,
    labels: list[str],
    *,
    contact: Contact | None,
    user: User | None,
    team: Team | None,
) -> None:
    """Note what a ticket was just created with, so its response needs no query.

    Held in session.info, which also keeps the objects alive: the identity map alone holds
    them weakly.
    """
    session.info.setdefault(_KNOWN, {})[ticket.id] = _Known(labels, contact, user, team)


def forget_labels(session: AsyncSession, ticket_id: uuid.UUID) -> None:
    """Call before changing a ticket's labels: its context is read from the database again."""
    session.info.get(_KNOWN, {}).pop(ticket_id, None)


def _context_from_session(
    session: AsyncSession, workspace: Workspace, tickets: Sequence[Ticket]
) -> TicketContext | None:
    """The context of tickets this session just created (a create's response), or None."""
    known: dict[uuid.UUID, _Known] = session.info.get(_KNOWN, {})
    ctx = TicketContext(workspace.ticket_prefix, defaultdict(list), {}, {}, {}, {})
    for ticket in tickets:
        entry = known.get(ticket.id)
        if (
            entry is None
            or ticket.merged_into_id is not None
            or ticket.requester_id != (entry.contact.id if entry.contact else None)
            or ticket.assignee_id != (entry.user.id if entry.user else None)
            or ticket.team_id != (entry.team.id if entry.team else None)
        ):
            return None
        ctx.labels[ticket.id] = list(entry.labels)
        if entry.contact is not None:
            ctx.contacts[entry.contact.id] = entry.contact
        if entry.user is not None:
            ctx.users[entry.user.id] = entry.user
        if entry.team is not None:
            ctx.teams[entry.team.id] = entry.team
    return ctx


async def load_context(
    session: AsyncSession, workspace: Workspace, tickets: Sequence[Ticket]
) -> TicketContext:
    """Labels, requesters, assignees and teams of `tickets` in one round trip.

    One row per (ticket, label), or one row for a ticket without labels; the other entities
    repeat on each row. A single statement matters most while a create holds the workspace's
    number counter: every round trip there is time other creates wait for the lock.
    """
    cached = _context_from_session(session, workspace, tickets) if tickets else None
    if cached is not None:
        return cached
    labels: dict[uuid.UUID, list[str]] = defaultdict(list)
    contacts: dict[uuid.UUID, Contact] = {}
    users: dict[uuid.UUID, User] = {}
    teams: dict[uuid.UUID, Team] = {}
    numbers: dict[uuid.UUID, int] = {}
    ids = [t.id for t in tickets]
    if ids:
        rows = await session.execute(
            select(Ticket.id, Label.name, Contact, User, Team)
            .select_from(Ticket)
            .outerjoin(TicketLabel, TicketLabel.ticket_id == Ticket.id)
            .outerjoin(Label, Label.id == TicketLabel.label_id)
            .outerjoin(Contact, Contact.id == Ticket.requester_id)
            .outerjoin(User, User.id == Ticket.assignee_id)
            .outerjoin(Team, Team.id == Ticket.team_id)
            .where(Ticket.id.in_(ids))
            .order_by(Label.name)
        )
        for ticket_id, label, contact, user, team in rows:
            if label is not None:
                labels[ticket_id].append(label)
            if contact is not None:
                contacts[contact.id] = contact
            if user is not None:
                users[user.id] = user
            if team is not None:
                teams[team.id] = team
    merged_ids = {t.merged_into_id for t in tickets if t.merged_into_id}
    if merged_ids:
        for ticket_id, number in await session.execute(
            select(Ticket.id, Ticket.number).where(Ticket.id.in_(merged_ids))
        ):
            numbers[ticket_id] = number
    return TicketContext(workspace.ticket_prefix, labels, contacts, users, teams, numbers)


def sla_state(ticket: Ticket, now: datetime) -> str:
    """The SLA state now: the stored one moves on to at_risk / breached as time passes (a
    paused ticket only to breached: a clock that does not pause, e.g. first response, ran out)."""
    state = ticket.sla_state
    if state in ("ok", "at_risk", "paused") and ticket.due_at is not None:
        if ticket.due_at <= now:
            return "breached"
        if state != "paused" and ticket.sla_warn_at is not None and ticket.sla_warn_at <= now:
            return "at_risk"
    return state


def stored_rating(value: str) -> str | int:
    """A CSAT rating as the API shows it: `good`/`bad`, or the number 1 to 5."""
    return int(value) if value.isdigit() else value


def ticket_read(ticket: Ticket, ctx: TicketContext) -> TicketRead:
    """The ticket as the API shows it, its references taken from the page's context."""
    contact = ctx.contacts.get(ticket.requester_id) if ticket.requester_id else None
    user = ctx.users.get(ticket.assignee_id) if ticket.assignee_id else None
    team = ctx.teams.get(ticket.team_id) if ticket.team_id else None
    merged_number = ctx.ticket_numbers.get(ticket.merged_into_id) if ticket.merged_into_id else None
    return TicketRead.model_validate(
        {
            "id": ticket.id,
            "key": f"{ctx.prefix}-{ticket.number}",
            "number": ticket.number,
            "subject": ticket.subject,
            "description": ticket.description,
            "status": ticket.status,
            "status_category": ticket.status_category,
            "priority": ticket.priority,
            "type": ticket.type,
            "category": ticket.category,
            "channel": ticket.channel,
            "requester": (
                {"id": contact.id, "email": contact.email, "name": contact.name}
                if contact
                else None
            ),
            "assignee": {"id": user.id, "name": user.name, "email": user.email} if user else None,
            "team": {"id": team.id, "name": team.name} if team else None,
            "labels": ctx.labels.get(ticket.id, []),
            "custom_fields": ticket.custom_fields or {},
            "conversation_id": ticket.conversation_id,
            "merged_into": f"{ctx.prefix}-{merged_number}" if merged_number else None,
            "sla": {
                "first_response_due_at": ticket.first_response_due_at,
                "next_response_due_at": ticket.next_response_due_at,
                "resolution_due_at": ticket.resolution_due_at,
                "first_responded_at": ticket.first_responded_at,
                "state": sla_state(ticket, utcnow()),
            },
            "csat": (
                {
                    "rating": stored_rating(ticket.csat_rating),
                    "comment": ticket.csat_comment,
                    "answered_at": ticket.csat_answered_at,
                }
                if ticket.csat_rating is not None
                else None
            ),
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            "version": ticket.version,
        }
    )


def _stats(rows: Any) -> dict[str, Any]:
    """Totals by status and by priority from (status, priority, count) rows; keys that count
    nothing are left out, as a GROUP BY over the tickets leaves them out."""
    by_status: dict[str, int] = defaultdict(int)
    by_priority: dict[str, int] = defaultdict(int)
    total = 0
    for status, priority, count in rows:
        if count:
            by_status[status] += int(count)
            by_priority[priority] += int(count)
            total += int(count)
    return {"total": total, "by_status": dict(by_status), "by_priority": dict(by_priority)}


async def ticket_stats(session: AsyncSession, stmt: Select[Any]) -> dict[str, Any]:
    """Stats of the tickets `stmt` selects, counted row by row (any filter)."""
    grouped = (
        stmt.with_only_columns(Ticket.status, Ticket.priority, func.count())
        .group_by(Ticket.status, Ticket.priority)
        .order_by(None)
    )
    return _stats(await session.execute(grouped))


_COUNTED = (
    select(TicketCount.status, TicketCount.priority, func.sum(TicketCount.n))
    .where(in_workspace(TicketCount, bindparam("workspace_id")))
    .group_by(TicketCount.status, TicketCount.priority)
)


async def counted_stats(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """Stats of all the workspace's tickets from the counters the triggers of migration 0018
    keep: a few hundred rows whatever the number of tickets."""
    return _stats(await session.execute(_COUNTED, {"workspace_id": principal.workspace_id}))


# -- creation on PostgreSQL: number, row, label links and event in one statement -------------

_NEW_TICKET_COLUMNS = [c for c in Ticket.__table__.columns if c.key != "number"]
_NEW_EVENT_COLUMNS = [c for c in Event.__table__.columns if c.key not in ("id", "data")]


def _numbered_insert(with_labels: bool) -> Any:
    ticket_columns = ", ".join(c.name for c in _NEW_TICKET_COLUMNS)
    ticket_values = ", ".join(f":t_{c.key}" for c in _NEW_TICKET_COLUMNS)
    event_columns = ", ".join(c.name for c in _NEW_EVENT_COLUMNS)
    event_values = ", ".join(f":e_{c.key}" for c in _NEW_EVENT_COLUMNS)
    links = (
        " links AS (INSERT INTO ticket_labels (ticket_id, label_id)"
        " SELECT t.id, l.id FROM t CROSS JOIN unnest(:label_ids) AS l(id)),"
        if with_labels
        else ""
    )
    params = [bindparam(f"t_{c.key}", type_=c.type) for c in _NEW_TICKET_COLUMNS]
    params += [bindparam(f"e_{c.key}", type_=c.type) for c in _NEW_EVENT_COLUMNS]
    params += [bindparam("e_data", type_=Event.data.type), bindparam("key_prefix", type_=String())]
    if with_labels:
        params.append(bindparam("label_ids", type_=ARRAY(Uuid())))
    return (
        text(
            "WITH n AS (UPDATE workspaces SET next_ticket_number = next_ticket_number + 1"
            " WHERE id = :workspace RETURNING next_ticket_number - 1 AS number),"
            f" t AS (INSERT INTO tickets ({ticket_columns}, number)"
            f" SELECT {ticket_values}, n.number FROM n RETURNING id, number),{links}"
            f" e AS (INSERT INTO events ({event_columns}, data) SELECT {event_values},"
            " jsonb_set(CAST(:e_data AS jsonb), '{ticket}', to_jsonb(:key_prefix || n.number))"
            " FROM n RETURNING id)"
            " SELECT t.number, e.id AS event_id FROM t CROSS JOIN e"
        )
        .bindparams(bindparam("workspace", type_=Uuid()), *params)
        .columns(number=Ticket.number.type, event_id=Event.id.type)
    )


_NUMBERED_INSERTS = {flag: _numbered_insert(flag) for flag in (False, True)}


def _loaded(obj: Any, columns: Sequence[Any], prefix: str) -> dict[str, Any]:
    """Fill what a flush would have filled in (column defaults), mark every column loaded,
    and return the values as statement parameters named `prefix` + column key."""
    params: dict[str, Any] = {}
    for column in columns:
        value = getattr(obj, column.key)
        if value is None and column.default is not None:
            default: Any = column.default
            value = default.arg(None) if default.is_callable else default.arg
        setattr(obj, column.key, value)  # loaded, even when None: nothing left to expire
        params[prefix + column.key] = value
    return params


async def insert_numbered(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    label_ids: Sequence[uuid.UUID],
    created: Event,
) -> None:
    """Give a new ticket the workspace's next number and write it, its label links and its
    `ticket.created` event in one statement. Concurrent creates queue on the workspace row
    until the holder commits, and every round trip the holder makes after taking it costs
    the whole queue: here the commit is the only one left. The ticket and the event then
    join the session as persistent rows, so later changes are ordinary UPDATEs."""
    params = _loaded(ticket, _NEW_TICKET_COLUMNS, "t_")
    params |= _loaded(created, _NEW_EVENT_COLUMNS, "e_")
    params |= {
        "workspace": workspace.id,
        "e_data": created.data,
        "key_prefix": f"{workspace.ticket_prefix}-",
    }
    if label_ids:
        params["label_ids"] = list(label_ids)
    row = (await session.execute(_NUMBERED_INSERTS[bool(label_ids)], params)).one()
    ticket.number = int(row.number)
    created.id = int(row.event_id)
    created.data = {**created.data, "ticket": f"{workspace.ticket_prefix}-{ticket.number}"}
    for obj in (ticket, created):
        make_transient_to_detached(obj)
        session.add(obj)
