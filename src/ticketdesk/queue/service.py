"""Working a busy queue together: bulk changes, merge, split, links and watchers."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import and_, delete, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.db import (
    insert_ignoring_conflicts,
    new_id,
    start_deferring,
    stop_deferring,
    utcnow,
)
from ticketdesk.errors import (
    Conflict,
    NotFound,
    TicketdeskError,
    TicketNotFound,
    TransitionNotAllowed,
    ValidationFailed,
)
from ticketdesk.models import (
    Attachment,
    Comment,
    Contact,
    Label,
    Status,
    Team,
    Ticket,
    TicketLabel,
    TicketLink,
    TicketWatcher,
    User,
    Workspace,
)
from ticketdesk.notifications import observers
from ticketdesk.queue.schemas import BulkRequest, LinkCreate, SplitRequest
from ticketdesk.tickets import repository
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate, TicketUpdate

# ---------------------------------------------------------------- bulk

BULK_CHUNK = 100
MAX_LABELS = 50


def _problem(exc: TicketdeskError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": exc.type,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
    }
    if exc.errors is not None:
        body["errors"] = exc.errors
    return body


class _AfterCommitMark:
    """What a savepoint queued for after commit, so a rolled-back ticket announces nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.had_events = "new_events" in session.info
        self.events = len(session.info.get("new_events", []))
        self.callbacks = len(session.info.get("after_commit", []))

    def rewind(self) -> None:
        info = self.session.info
        if self.had_events:
            del info["new_events"][self.events :]
        else:
            info.pop("new_events", None)
        if "after_commit" in info:
            del info["after_commit"][self.callbacks :]


async def _load_for_bulk(
    session: AsyncSession, principal: Principal, workspace: Workspace, refs: Sequence[str]
) -> dict[str, Ticket]:
    """Every referenced ticket of this workspace in one locked query, by the ref it was asked as."""
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
    wheres = []
    if numbers:
        wheres.append(Ticket.number.in_(list(numbers)))
    if ids:
        wheres.append(Ticket.id.in_(list(ids)))
    found: dict[str, Ticket] = {}
    for where in wheres:
        stmt = (
            repository.readable_statement(principal)
            .where(where)
            .order_by(Ticket.id)
            .with_for_update()
        )
        for ticket in await session.scalars(stmt):
            for ref in numbers.get(ticket.number, []) + ids.get(ticket.id, []):
                found[ref] = ticket
    return found


async def bulk_update(
    session: AsyncSession, principal: Principal, workspace: Workspace, data: BulkRequest
) -> list[dict[str, Any]]:
    """Apply the same changes to many tickets; each ticket is applied whole or not at all."""
    changes = data.changes
    fields = changes.model_fields_set
    # the change itself is checked once: if it cannot apply anywhere the request is invalid
    if changes.status is not None:
        await tickets.resolve_status(session, workspace.id, changes.status)
    if "assignee_id" in fields and changes.assignee_id is not None:
        await tickets.check_assignee(session, workspace.id, changes.assignee_id)
    if "team_id" in fields and changes.team_id is not None:
        await tickets.check_team(session, workspace.id, changes.team_id)
    overlap = set(changes.add_labels) & set(changes.remove_labels)
    if overlap:
        raise ValidationFailed(
            f"Label {sorted(overlap)[0]!r} is both added and removed.",
            loc=("body", "changes", "add_labels"),
        )

    found = await _load_for_bulk(session, principal, workspace, data.tickets)
    loaded = list({t.id: t for t in found.values()}.values())
    ticket_ids = [t.id for t in loaded]
    known: dict[uuid.UUID, dict[str, uuid.UUID]] = {t: {} for t in ticket_ids}
    referenced: list[Any] = []  # keeps preloaded users and teams in the identity map
    watchers: dict[uuid.UUID, set[uuid.UUID]] = {t: set() for t in ticket_ids}
    if ticket_ids:
        # what update_ticket looks up per ticket is loaded here once (identity map, caches)
        user_ids = {t.assignee_id for t in loaded if t.assignee_id}
        if user_ids:
            referenced += (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()
        team_ids = {t.team_id for t in loaded if t.team_id}
        if team_ids:
            referenced += (await session.scalars(select(Team).where(Team.id.in_(team_ids)))).all()
        # every ticket's labels in one query (label changes, SLA matching and rules read them)
        for ticket_id, name, label_id in await session.execute(
            select(TicketLabel.ticket_id, Label.name, Label.id)
            .join(Label, Label.id == TicketLabel.label_id)
            .where(TicketLabel.ticket_id.in_(ticket_ids))
        ):
            known[ticket_id][name] = label_id
        tickets.remember_labels(session, known)
        for ticket_id, user_id in await session.execute(
            select(TicketWatcher.ticket_id, TicketWatcher.user_id).where(
                TicketWatcher.ticket_id.in_(ticket_ids)
            )
        ):
            watchers[ticket_id].add(user_id)
    session.info[observers.WATCHERS_KEY] = watchers
    # labels are created up front, outside the savepoints, so a rolled-back chunk keeps them
    await tickets.ensure_labels(session, workspace.id, changes.add_labels)

    base: dict[str, Any] = {
        name: getattr(changes, name)
        for name in ("status", "priority", "assignee_id", "team_id")
        if name in fields
    }
    actor = principal.actor()
    results: list[dict[str, Any]] = []
    first_result: dict[uuid.UUID, int] = {}  # ticket id -> index of its first result
    plan: list[tuple[int, Ticket, TicketUpdate]] = []
    for ref in data.tickets:
        ticket = found.get(ref)
        if ticket is None:
            missing = TicketNotFound(f"No ticket {ref!r} in this workspace.")
            results.append({"ticket": ref, "ok": False, "error": _problem(missing)})
            continue
        if ticket.id in first_result:
            results.append({"ticket": ref, "same_as": first_result[ticket.id]})
            continue
        first_result[ticket.id] = len(results)
        update_fields = dict(base)
        if changes.add_labels or changes.remove_labels:
            current = set(known[ticket.id])
            wanted = (current | set(changes.add_labels)) - set(changes.remove_labels)
            if wanted != current:
                update_fields["labels"] = sorted(wanted)
        try:
            update_data = TicketUpdate(**update_fields)
        except PydanticValidationError:
            too_many = ValidationFailed(
                f"A ticket can have at most {MAX_LABELS} labels.",
                loc=("body", "changes", "add_labels"),
            )
            results.append({"ticket": ref, "ok": False, "error": _problem(too_many)})
            continue
        results.append({"ticket": ref, "ok": None})
        plan.append((len(results) - 1, ticket, update_data))
    try:
        for start in range(0, len(plan), BULK_CHUNK):
            await _apply_chunk(session, workspace, plan[start : start + BULK_CHUNK], results, actor)
    finally:
        session.info.pop(observers.WATCHERS_KEY, None)
        stop_deferring(session)
        tickets.forget_known_labels(session, ticket_ids)
    for index, result in enumerate(results):
        if "same_as" in result:
            results[index] = {**results[result["same_as"]], "ticket": result["ticket"]}
    return results


async def _apply_chunk(
    session: AsyncSession,
    workspace: Workspace,
    chunk: list[tuple[int, Ticket, TicketUpdate]],
    results: list[dict[str, Any]],
    actor: dict[str, Any],
) -> None:
    """Apply a chunk in one savepoint; if any ticket fails, redo it ticket by ticket.

    Failures are rare once the change has been checked, so most chunks cost one savepoint
    instead of one per ticket; a failing ticket still rolls back alone.
    """
    ids = [ticket.id for _, ticket, _ in chunk]  # read now: a rollback expires the objects
    mark = _AfterCommitMark(session)
    try:
        # no autoflush, deferred link and notification rows: the chunk is written once at its
        # end (one statement per table), not a few statements per ticket
        async with session.begin_nested():
            start_deferring(session)
            with session.no_autoflush:
                for _, ticket, update_data in chunk:
                    await tickets.update_ticket(
                        session, workspace, ticket, update_data, actor=actor, flush=False
                    )
            _same_columns([ticket for _, ticket, _ in chunk])
            await session.flush()
            await tickets.write_deferred(session)
    except TicketdeskError:
        stop_deferring(session)
        mark.rewind()
        tickets.forget_known_labels(session, ids)
        await _reload(session, ids)
    else:
        for index, ticket, _ in chunk:
            results[index] = {**results[index], "ok": True, "version": ticket.version}
        return
    for (index, ticket, update_data), ticket_id in zip(chunk, ids, strict=True):
        mark = _AfterCommitMark(session)
        try:
            async with session.begin_nested():
                await tickets.update_ticket(session, workspace, ticket, update_data, actor=actor)
        except TicketdeskError as exc:
            mark.rewind()
            await _reload(session, [ticket_id])
            results[index] = {**results[index], "ok": False, "error": _problem(exc)}
        else:
            results[index] = {**results[index], "ok": True, "version": ticket.version}


def _same_columns(chunk: list[Ticket]) -> None:
    """Mark the union of the chunk's changed columns on each of its tickets: the flush then
    sends one UPDATE shape as one executemany, not a statement for every run of tickets whose
    changes differ (one had a pause to close, another a resolved_at to set)."""
    states = [inspect(ticket) for ticket in chunk]
    columns = inspect(Ticket).column_attrs.keys()
    changed = {key for state in states for key in state.committed_state if key in columns}
    for state in states:
        if not state.committed_state:
            continue  # nothing changed (the change was a no-op for this ticket): no UPDATE
        for key in changed:  # also those set to an equal value, which the flush would skip
            if key not in state.unloaded:
                flag_modified(state.obj(), key)


async def _reload(session: AsyncSession, ticket_ids: list[uuid.UUID]) -> None:
    """Reload tickets whose savepoint rolled back (their in-memory state is stale)."""
    await session.execute(
        select(Ticket).where(Ticket.id.in_(ticket_ids)).execution_options(populate_existing=True)
    )


# ---------------------------------------------------------------- merge and split


async def _other_ticket(
    session: AsyncSession, principal: Principal, workspace: Workspace, ref: str, field: str
) -> Ticket:
    other = await repository.find_ticket(session, principal, workspace, ref)
    if other is None:
        raise ValidationFailed(f"No ticket {ref!r} in this workspace.", loc=("body", field))
    return other


async def _lock(session: AsyncSession, *ticket_ids: uuid.UUID) -> None:
    """Lock tickets in id order, so two merges of the same pair cannot deadlock."""
    await session.execute(
        select(Ticket.id).where(Ticket.id.in_(ticket_ids)).order_by(Ticket.id).with_for_update()
    )


async def _closed_status(session: AsyncSession, workspace_id: uuid.UUID) -> Status:
    status = await session.scalar(
        select(Status)
        .where(Status.workspace_id == workspace_id, Status.category == "closed")
        .order_by(Status.position)
        .limit(1)
    )
    if status is None:
        raise Conflict("This workspace has no status in the `closed` category to merge into.")
    return status


async def merge_tickets(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    source_ref: str,
    into_ref: str,
) -> Ticket:
    """Close `source` as merged into `into`; its comments and files show on the target."""
    source = await tickets.get_ticket(session, principal, workspace, source_ref)
    target = await _other_ticket(session, principal, workspace, into_ref, "into")
    if source.id == target.id:
        raise ValidationFailed("A ticket cannot be merged into itself.", loc=("body", "into"))
    await _lock(session, source.id, target.id)
    await session.refresh(source)
    await session.refresh(target)
    source_key, target_key = (
        tickets.ticket_key(workspace, source),
        tickets.ticket_key(workspace, target),
    )
    if source.merged_into_id is not None:
        raise TransitionNotAllowed(f"{source_key} was already merged into another ticket.")
    if target.merged_into_id is not None:
        final = await session.get(Ticket, target.merged_into_id)
        where = f" {tickets.ticket_key(workspace, final)}" if final else " another ticket"
        raise TransitionNotAllowed(
            f"{target_key} was itself merged into{where}; merge into that ticket instead."
        )
    actor = principal.actor()
    now = utcnow()
    closed = await _closed_status(session, workspace.id)
    status_change = await tickets.change_status(
        session, workspace, source, closed.name, actor=actor, now=now
    )
    source.merged_into_id = target.id
    source.closed_at = source.closed_at or now
    tickets.touch(source, now)
    tickets.touch(target, now)
    merge = {"from": source_key, "to": target_key}
    for ticket in (source, target):
        events.record(
            session,
            workspace_id=workspace.id,
            ticket_id=ticket.id,
            type="ticket.merged",
            actor=actor,
            data={"ticket": tickets.ticket_key(workspace, ticket), **merge},
        )
    # the source's watchers keep following the conversation on the target
    source_watchers = list(
        await session.scalars(
            select(TicketWatcher.user_id).where(TicketWatcher.ticket_id == source.id)
        )
    )
    await insert_ignoring_conflicts(
        session,
        TicketWatcher,
        [
            {"ticket_id": target.id, "user_id": u, "workspace_id": workspace.id, "created_at": now}
            for u in source_watchers
        ],
        ["ticket_id", "user_id"],
    )
    await session.flush()
    source_changes: dict[str, Any] = {"merged_into": {"from": None, "to": target_key}}
    if status_change is not None:
        source_changes["status"] = status_change
    await tickets.notify_observers(
        session,
        tickets.TicketChange(
            ticket=source, workspace=workspace, actor=actor, changes=source_changes
        ),
    )
    await tickets.notify_observers(
        session,
        tickets.TicketChange(
            ticket=target, workspace=workspace, actor=actor, changes={"merged": merge}
        ),
    )
    await session.flush()
    return target


async def split_ticket(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ref: str,
    data: SplitRequest,
) -> Ticket:
    """A new ticket made of chosen comments (moved over, with their files), linked back."""
    original = await tickets.get_ticket(session, principal, workspace, ref, for_update=True)
    original_key = tickets.ticket_key(workspace, original)
    if original.merged_into_id is not None:
        raise TransitionNotAllowed(
            f"{original_key} was merged; split from the ticket it was merged into."
        )
    wanted = list(dict.fromkeys(data.comment_ids))
    chosen = list(
        await session.scalars(
            select(Comment)
            .where(Comment.id.in_(wanted), Comment.ticket_id == original.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )
    if len(chosen) != len(wanted):
        missing = sorted(str(c) for c in set(wanted) - {c.id for c in chosen})
        raise ValidationFailed(
            f"Comment {missing[0]} is not on {original_key}.", loc=("body", "comment_ids")
        )
    actor = principal.actor()
    requester = await session.get(Contact, original.requester_id) if original.requester_id else None
    assignee = await session.get(User, original.assignee_id) if original.assignee_id else None
    label_names = sorted(await tickets.ticket_labels(session, original.id))
    created = await tickets.create_ticket(
        session,
        workspace,
        TicketCreate(
            subject=data.subject,
            description=f"Split from {original_key}.",
            priority=original.priority,
            type=original.type,
            category=original.category,
            labels=label_names,
            requester=RequesterIn(email=requester.email, name=requester.name)
            if requester
            else None,
            assignee_id=assignee.id
            if assignee and assignee.active and assignee.role != "viewer"
            else None,
            team_id=original.team_id,
            custom_fields=original.custom_fields or {},
        ),
        actor=actor,
        channel=original.channel,
    )
    comment_ids = [c.id for c in chosen]
    await session.execute(
        update(Comment)
        .where(Comment.id.in_(comment_ids))
        .values(ticket_id=created.id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Attachment)
        .where(Attachment.comment_id.in_(comment_ids))
        .values(ticket_id=created.id)
        .execution_options(synchronize_session=False)
    )
    for comment in chosen:
        comment.ticket_id = created.id
    created_key = tickets.ticket_key(workspace, created)
    now = utcnow()
    session.add(
        TicketLink(
            id=new_id(),
            workspace_id=workspace.id,
            ticket_id=created.id,
            other_id=original.id,
            kind="related",
            created_by_kind=actor["kind"],
            created_by_id=actor.get("id"),
            created_at=now,
        )
    )
    split = {"from": original_key, "to": created_key, "comment_ids": comment_ids}
    for ticket in (original, created):
        events.record(
            session,
            workspace_id=workspace.id,
            ticket_id=ticket.id,
            type="ticket.split",
            actor=actor,
            data={"ticket": tickets.ticket_key(workspace, ticket), **split},
        )
    tickets.touch(original, now)
    await session.flush()
    await observers.notify_watchers(
        session,
        workspace.id,
        original.id,
        actor=actor,
        data=observers.watched_change_data(original_key, original.subject, actor, {"split": split}),
    )
    return created


# ---------------------------------------------------------------- links

_RELATION = {
    ("related", "outbound"): "related",
    ("related", "inbound"): "related",
    ("duplicate", "outbound"): "duplicate_of",
    ("duplicate", "inbound"): "duplicated_by",
    ("blocks", "outbound"): "blocks",
    ("blocks", "inbound"): "blocked_by",
}


def _link_view(link: TicketLink, me: uuid.UUID, other: Ticket, prefix: str) -> dict[str, Any]:
    direction = "outbound" if link.ticket_id == me else "inbound"
    return {
        "id": link.id,
        "kind": link.kind,
        "direction": direction,
        "relation": _RELATION[(link.kind, direction)],
        "ticket": {
            "id": other.id,
            "key": f"{prefix}-{other.number}",
            "subject": other.subject,
            "status": other.status,
        },
        "created_at": link.created_at,
    }


async def list_links(
    session: AsyncSession, workspace: Workspace, ticket: Ticket
) -> list[dict[str, Any]]:
    """Links from and to this ticket, each seen from this ticket's side."""
    rows = await session.execute(
        select(TicketLink, Ticket)
        .join(
            Ticket,
            or_(
                and_(TicketLink.ticket_id == ticket.id, Ticket.id == TicketLink.other_id),
                and_(TicketLink.other_id == ticket.id, Ticket.id == TicketLink.ticket_id),
            ),
        )
        .where(TicketLink.workspace_id == workspace.id)
        .order_by(TicketLink.created_at, TicketLink.id)
    )
    return [
        _link_view(link, ticket.id, other, workspace.ticket_prefix) for link, other in rows.all()
    ]


async def _link_events(
    session: AsyncSession,
    workspace: Workspace,
    link: TicketLink,
    pair: tuple[Ticket, Ticket],
    actor: dict[str, Any],
    type_: str,
) -> None:
    for me, other in (pair, pair[::-1]):
        view = _link_view(link, me.id, other, workspace.ticket_prefix)
        key = tickets.ticket_key(workspace, me)
        data = {
            "ticket": key,
            "link_id": link.id,
            "kind": link.kind,
            "relation": view["relation"],
            "other": view["ticket"]["key"],
        }
        events.record(
            session,
            workspace_id=workspace.id,
            ticket_id=me.id,
            type=type_,
            actor=actor,
            data=data,
        )
        await observers.notify_watchers(
            session,
            workspace.id,
            me.id,
            actor=actor,
            data=observers.watched_change_data(key, me.subject, actor, {"link": data}),
        )


async def add_link(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    data: LinkCreate,
) -> dict[str, Any]:
    other = await _other_ticket(session, principal, workspace, data.ticket, "ticket")
    if other.id == ticket.id:
        raise ValidationFailed("A ticket cannot be linked to itself.", loc=("body", "ticket"))
    same = and_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == other.id)
    if data.kind == "related":
        same = or_(same, and_(TicketLink.ticket_id == other.id, TicketLink.other_id == ticket.id))
    existing = await session.scalar(select(TicketLink.id).where(same, TicketLink.kind == data.kind))
    if existing is not None:
        raise Conflict(
            f"These tickets are already linked as {data.kind}.",
        )
    actor = principal.actor()
    link = TicketLink(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        other_id=other.id,
        kind=data.kind,
        created_by_kind=actor["kind"],
        created_by_id=actor.get("id"),
        created_at=utcnow(),
    )
    session.add(link)
    await session.flush()
    await _link_events(session, workspace, link, (ticket, other), actor, "ticket.link_added")
    return _link_view(link, ticket.id, other, workspace.ticket_prefix)


async def remove_link(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    link_id: uuid.UUID,
) -> None:
    link = await session.scalar(
        select(TicketLink).where(
            TicketLink.id == link_id,
            TicketLink.workspace_id == workspace.id,
            or_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == ticket.id),
        )
    )
    if link is None:
        raise NotFound("No such link on this ticket.")
    other = await session.get(
        Ticket, link.other_id if link.ticket_id == ticket.id else link.ticket_id
    )
    assert other is not None
    await session.delete(link)
    await session.flush()
    await _link_events(
        session, workspace, link, (ticket, other), principal.actor(), "ticket.link_removed"
    )


# ---------------------------------------------------------------- watchers


async def list_watchers(session: AsyncSession, ticket: Ticket) -> list[User]:
    return list(
        await session.scalars(
            select(User)
            .join(TicketWatcher, TicketWatcher.user_id == User.id)
            .where(TicketWatcher.ticket_id == ticket.id)
            .order_by(User.name, User.id)
        )
    )


async def _watcher_event(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    user: User,
    actor: dict[str, Any],
    type_: str,
) -> None:
    events.record(
        session,
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        type=type_,
        actor=actor,
        data={
            "ticket": tickets.ticket_key(workspace, ticket),
            "user": {"id": user.id, "name": user.name},
        },
    )


async def add_watcher(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    user_id: uuid.UUID,
) -> None:
    user = await session.scalar(
        select(User).where(User.id == user_id, User.workspace_id == workspace.id)
    )
    if user is None or not user.active:
        raise NotFound("No such active user in this workspace.")
    watching = await session.get(TicketWatcher, (ticket.id, user.id))
    if watching is not None:
        return
    session.add(
        TicketWatcher(
            ticket_id=ticket.id, user_id=user.id, workspace_id=workspace.id, created_at=utcnow()
        )
    )
    await _watcher_event(session, workspace, ticket, user, principal.actor(), "ticket.watched")
    await session.flush()


async def remove_watcher(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    user_id: uuid.UUID,
) -> None:
    user = await session.scalar(
        select(User).where(User.id == user_id, User.workspace_id == workspace.id)
    )
    if user is None:
        raise NotFound("No such user in this workspace.")
    result = await session.execute(
        delete(TicketWatcher).where(
            TicketWatcher.ticket_id == ticket.id, TicketWatcher.user_id == user.id
        )
    )
    if getattr(result, "rowcount", 0):
        await _watcher_event(
            session, workspace, ticket, user, principal.actor(), "ticket.unwatched"
        )
        await session.flush()
