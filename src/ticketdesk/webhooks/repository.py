"""The webhooks room's queries: subscriptions, their delivery log, and the outbox's fan-out
(which events wait, who subscribed, the delivery rows written for them).

The delivery engine's own statements (claim, record, health) stay in delivery.py: there the
statements are the algorithm."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import (
    Event,
    Ticket,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    Workspace,
)


def _in_workspace(
    workspace: uuid.UUID | Collection[uuid.UUID] | Select[Any],
) -> ColumnElement[bool]:
    """The tenant condition on subscriptions: one workspace, or those of a batch of events."""
    if isinstance(workspace, uuid.UUID):
        return WebhookSubscription.workspace_id == workspace
    return WebhookSubscription.workspace_id.in_(workspace)


# --- subscriptions


async def find_subscription(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    webhook_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> WebhookSubscription | None:
    stmt = select(WebhookSubscription).where(
        WebhookSubscription.id == webhook_id, _in_workspace(workspace_id)
    )
    if for_update:
        stmt = stmt.with_for_update()
    found: WebhookSubscription | None = await session.scalar(stmt)
    return found


async def subscriptions_after(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    after: tuple[Any, Any] | None,
    limit: int,
) -> Sequence[WebhookSubscription]:
    """Oldest first, keyset-paged on (created_at, id): up to `limit` after `after`."""
    sub = WebhookSubscription
    stmt = select(sub).where(_in_workspace(workspace_id))
    if after is not None:
        created_at, last_id = after
        stmt = stmt.where(
            (sub.created_at > created_at) | ((sub.created_at == created_at) & (sub.id > last_id))
        )
    return (await session.scalars(stmt.order_by(sub.created_at, sub.id).limit(limit))).all()


async def active_subscriptions(
    session: AsyncSession, workspace_ids: Collection[uuid.UUID]
) -> Sequence[WebhookSubscription]:
    """Held against deletion (FOR KEY SHARE) until the fan-out commits: a webhook deleted
    meanwhile waits, then takes its new deliveries with it, instead of failing the insert."""
    return (
        await session.scalars(
            select(WebhookSubscription)
            .where(_in_workspace(workspace_ids), WebhookSubscription.active.is_(True))
            .order_by(WebhookSubscription.id)
            .with_for_update(read=True, key_share=True)
        )
    ).all()


async def anyone_subscribed(session: AsyncSession, event_ids: Sequence[int]) -> bool:
    """Whether an active subscription exists in any workspace these events belong to."""
    workspaces = select(Event.workspace_id).where(Event.id.in_(event_ids))
    found = await session.scalar(
        select(WebhookSubscription.id)
        .where(_in_workspace(workspaces), WebhookSubscription.active.is_(True))
        .limit(1)
    )
    return found is not None


# --- the delivery log (a subscription's deliveries: scoped by their subscription)


async def deliveries_before(
    session: AsyncSession,
    webhook_id: uuid.UUID,
    *,
    statuses: Sequence[str],
    before: tuple[Any, Any] | None,
    limit: int,
) -> Sequence[WebhookDelivery]:
    """Newest first, keyset-paged on (created_at, id): up to `limit` before `before`."""
    delivery = WebhookDelivery
    stmt = select(delivery).where(delivery.subscription_id == webhook_id)
    if statuses:
        stmt = stmt.where(delivery.status.in_(statuses))
    if before is not None:
        created_at, last_id = before
        stmt = stmt.where(
            (delivery.created_at < created_at)
            | ((delivery.created_at == created_at) & (delivery.id < last_id))
        )
    return (
        await session.scalars(
            stmt.order_by(delivery.created_at.desc(), delivery.id.desc()).limit(limit)
        )
    ).all()


async def find_delivery(
    session: AsyncSession, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    found: WebhookDelivery | None = await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == webhook_id
        )
    )
    return found


async def delivery_attempts(
    session: AsyncSession, delivery_id: uuid.UUID
) -> Sequence[WebhookAttempt]:
    return (
        await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
    ).all()


async def reschedule_delivery(
    session: AsyncSession, delivery: WebhookDelivery, now: datetime
) -> None:
    """Due again now, with a fresh retry schedule (the row is refreshed)."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id)
        .values(status="pending", next_attempt_at=now, retry_step=0)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(delivery)


# --- the outbox's fan-out


async def skip_unsubscribed(session: AsyncSession, event_ids: Sequence[int], now: datetime) -> None:
    """Events nobody subscribed to: marked fanned out without loading a single one."""
    await session.execute(
        update(Event)
        .where(Event.id.in_(event_ids), Event.dispatched_at.is_(None))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )


async def lock_undispatched(session: AsyncSession, event_ids: Sequence[int]) -> Sequence[Event]:
    """The events not fanned out yet, in order, locked (others' locked ones are skipped)."""
    return (
        await session.scalars(
            select(Event)
            .where(Event.id.in_(event_ids), Event.dispatched_at.is_(None))
            .order_by(Event.id)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def insert_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # one cached statement, many parameter sets (a VALUES list recompiles each time)
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    await session.execute(
        insert(WebhookDelivery).on_conflict_do_nothing(
            index_elements=["subscription_id", "event_id"]
        ),
        rows,
    )


async def mark_dispatched(session: AsyncSession, event_ids: Sequence[int], now: datetime) -> None:
    await session.execute(update(Event).where(Event.id.in_(event_ids)).values(dispatched_at=now))


async def pending_later_deliveries(
    session: AsyncSession, ticket_ids: Collection[uuid.UUID], after_event_id: int
) -> list[uuid.UUID]:
    """Pending deliveries of these tickets' events after `after_event_id`."""
    return list(
        await session.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.ticket_id.in_(ticket_ids),
                WebhookDelivery.event_id > after_event_id,
            )
        )
    )


async def undispatched_event_ids(
    session: AsyncSession, *, cutoff: datetime, limit: int
) -> list[int]:
    """Committed events created by `cutoff` and never fanned out, oldest first."""
    return list(
        await session.scalars(
            select(Event.id)
            .where(Event.dispatched_at.is_(None), Event.created_at <= cutoff)
            .order_by(Event.id)
            .limit(limit)
        )
    )


async def tickets_by_id(
    session: AsyncSession, ticket_ids: Collection[uuid.UUID]
) -> Sequence[Ticket]:
    return (await session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))).all()


async def get_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    return await session.get(Workspace, workspace_id)
