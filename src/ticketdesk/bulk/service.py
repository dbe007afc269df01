"""Bulk changes: the same changes applied to many tickets, each applied whole or not at all,
written a chunk at a time."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.bulk import repository
from ticketdesk.bulk.schemas import BulkRequest, BulkResult
from ticketdesk.context import context
from ticketdesk.db import start_deferring, stop_deferring
from ticketdesk.errors import Problem, TicketdeskError, TicketNotFound, ValidationFailed
from ticketdesk.models import Ticket, Workspace
from ticketdesk.notifications import service as notifications
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketUpdate

BULK_CHUNK = 100
MAX_LABELS = 50
# a ticket key such as TKT-42 (the tickets room parses refs the same way)

# (index of the ticket's result, the ticket, what to change on it)
_Planned = tuple[int, Ticket, TicketUpdate]


def _problem(exc: TicketdeskError) -> Problem:
    return Problem(
        type=exc.type,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        errors=exc.errors,
        **exc.extra,
    )


def _failed(ref: str, exc: TicketdeskError) -> BulkResult:
    return BulkResult(ticket=ref, ok=False, error=_problem(exc))


def _applied(ref: str, ticket: Ticket, change: tickets.TicketChange | None = None) -> BulkResult:
    if change is not None and change.approval is not None:
        waiting = Problem(
            title="Approval required",
            status=202,
            detail="The change waits for an approver; the ticket is as it was.",
        )
        return BulkResult(
            ticket=ref, ok=False, version=ticket.version, error=waiting, approval=change.approval
        )
    return BulkResult(ticket=ref, ok=True, version=ticket.version)


class _AfterCommitMark:
    """What a savepoint queued for after commit, so a rolled-back ticket announces nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        ctx = context(session)
        self.events = len(ctx.new_events)
        self.callbacks = len(ctx.after_commit)

    def rewind(self) -> None:
        ctx = context(self.session)
        del ctx.new_events[self.events :]
        del ctx.after_commit[self.callbacks :]


async def bulk_update(
    session: AsyncSession, principal: Principal, workspace: Workspace, data: BulkRequest
) -> list[BulkResult]:
    """Apply the same changes to many tickets; each ticket is applied whole or not at all.

    Results follow the refs asked for; a ticket asked for twice is changed once, and both of
    its results say how."""
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

    found = await tickets.lock_tickets(session, principal, workspace, data.tickets)
    loaded = list({t.id: t for t in found.values()}.values())
    ticket_ids = [t.id for t in loaded]
    known: dict[uuid.UUID, dict[str, uuid.UUID]] = {t: {} for t in ticket_ids}
    referenced: list[Any] = []  # keeps preloaded users and teams in the identity map
    if ticket_ids:
        # what update_ticket looks up per ticket is loaded here once (identity map, caches)
        referenced += await repository.users_and_teams(
            session,
            {t.assignee_id for t in loaded if t.assignee_id},
            {t.team_id for t in loaded if t.team_id},
        )
        # every ticket's labels in one query (label changes, SLA matching and rules read them)
        known = await repository.labels_by_ticket(session, ticket_ids)
        tickets.remember_labels(session, known)
    await notifications.preload_watchers(session, ticket_ids)
    # labels are created up front, outside the savepoints, so a rolled-back chunk keeps them
    await tickets.ensure_labels(session, workspace.id, changes.add_labels)

    base: dict[str, Any] = {
        name: getattr(changes, name)
        for name in ("status", "priority", "assignee_id", "team_id", "custom_fields")
        if name in fields
    }
    actor = principal.actor()
    results: list[BulkResult] = []
    first_result: dict[uuid.UUID, int] = {}  # ticket id -> index of its first result
    same_as: dict[int, int] = {}  # index of a repeated ref's result -> index of the first
    plan: list[_Planned] = []
    for ref in data.tickets:
        ticket = found.get(ref)
        if ticket is None:
            results.append(_failed(ref, TicketNotFound(f"No ticket {ref!r} in this workspace.")))
            continue
        if ticket.id in first_result:
            same_as[len(results)] = first_result[ticket.id]
            results.append(BulkResult(ticket=ref, ok=False))  # filled in at the end
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
            results.append(_failed(ref, too_many))
            continue
        results.append(BulkResult(ticket=ref, ok=False))  # filled in when its chunk is applied
        plan.append((len(results) - 1, ticket, update_data))
    try:
        for start in range(0, len(plan), BULK_CHUNK):
            await _apply_chunk(
                session,
                workspace,
                plan[start : start + BULK_CHUNK],
                results,
                actor,
                principal.role,
            )
    finally:
        notifications.forget_preloaded_watchers(session)
        stop_deferring(session)
        tickets.forget_known_labels(session, ticket_ids)
    for index, first in same_as.items():
        results[index] = results[first].model_copy(update={"ticket": results[index].ticket})
    return results


async def _apply_chunk(
    session: AsyncSession,
    workspace: Workspace,
    chunk: list[_Planned],
    results: list[BulkResult],
    actor: events.Actor,
    role: str,
) -> None:
    """Apply a chunk in one savepoint; if any ticket fails, redo it ticket by ticket.

    Failures are rare once the change has been checked, so most chunks cost one savepoint
    instead of one per ticket; a failing ticket still rolls back alone.
    """
    ids = [ticket.id for _, ticket, _ in chunk]  # read now: a rollback expires the objects
    mark = _AfterCommitMark(session)
    done: list[tickets.TicketChange] = []
    try:
        # no autoflush, deferred link and notification rows: the chunk is written once at its
        # end (one statement per table), not a few statements per ticket
        async with session.begin_nested():
            start_deferring(session)
            with session.no_autoflush:
                for _, ticket, update_data in chunk:
                    done.append(
                        await tickets.update_ticket(
                            session,
                            workspace,
                            ticket,
                            update_data,
                            actor=actor,
                            flush=False,
                            role=role,
                        )
                    )
            repository.same_columns([ticket for _, ticket, _ in chunk])
            await session.flush()
            await tickets.write_deferred(session)
    except TicketdeskError:
        stop_deferring(session)
        mark.rewind()
        tickets.forget_known_labels(session, ids)
        await repository.reload(session, ids)
    else:
        for (index, ticket, _), change in zip(chunk, done, strict=True):
            results[index] = _applied(results[index].ticket, ticket, change)
        return
    for (index, ticket, update_data), ticket_id in zip(chunk, ids, strict=True):
        ref = results[index].ticket
        mark = _AfterCommitMark(session)
        try:
            async with session.begin_nested():
                change = await tickets.update_ticket(
                    session, workspace, ticket, update_data, actor=actor, role=role
                )
        except TicketdeskError as exc:
            mark.rewind()
            await repository.reload(session, [ticket_id])
            results[index] = _failed(ref, exc)
        else:
            results[index] = _applied(ref, ticket, change)
