"""Webhook subscriptions: create (secret shown once), change, rotate, inspect and redeliver."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.context import context
from ticketdesk.crud import ensure_found, refuse_nulls
from ticketdesk.db import after_commit, utcnow
from ticketdesk.errors import NotFound, ValidationFailed
from ticketdesk.models import WebhookDelivery, WebhookSubscription
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.schemas import Page
from ticketdesk.webhooks import repository, ssrf
from ticketdesk.webhooks.delivery import enqueue_deliveries
from ticketdesk.webhooks.schemas import (
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from ticketdesk.webhooks.signing import encrypt_secret, new_secret

PREVIOUS_SECRET_TTL = timedelta(hours=24)
RESOLVE_TIMEOUT_SECONDS = 2.0


class WebhookNotFound(NotFound):
    title = "Webhook not found"


class DeliveryNotFound(NotFound):
    title = "Delivery not found"


async def check_target(url: str, settings: Settings) -> None:
    """Refuse URLs that could never be delivered to (422); DNS failures are left to delivery."""
    try:
        parts = ssrf.parse_url(url)
        assert parts.hostname is not None
        literal = ssrf.literal_address(parts.hostname)
        if literal is not None:
            ssrf.check_address(literal, allow_private=settings.webhook_allow_private)
            return
        try:
            infos = await asyncio.wait_for(
                asyncio.get_running_loop().getaddrinfo(
                    parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
                ),
                RESOLVE_TIMEOUT_SECONDS,
            )
        except (OSError, TimeoutError, UnicodeError):
            return
        for info in infos:
            address = ssrf.literal_address(str(info[4][0]).split("%")[0])
            if address is not None:
                ssrf.check_address(address, allow_private=settings.webhook_allow_private)
    except ssrf.TargetRefused as exc:
        raise ValidationFailed(
            f"This URL cannot receive webhooks: {exc}", loc=("body", "url")
        ) from exc


async def get_subscription(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, *, for_update: bool = False
) -> WebhookSubscription:
    sub = await repository.find_subscription(
        session, principal.workspace_id, webhook_id, for_update=for_update
    )
    return ensure_found(sub, f"No webhook {webhook_id} in this workspace.", WebhookNotFound)


async def create_subscription(
    session: AsyncSession, principal: Principal, settings: Settings, data: WebhookCreate
) -> tuple[WebhookSubscription, str]:
    await check_target(data.url, settings)
    secret = new_secret()
    now = utcnow()
    sub = WebhookSubscription(
        workspace_id=principal.workspace_id,
        url=data.url,
        description=data.description,
        events=sorted(set(data.events)),
        active=data.active,
        secret_encrypted=encrypt_secret(secret, settings.resolved_secret_key()),
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    await session.flush()
    return sub, secret


async def update_subscription(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
) -> WebhookSubscription:
    sub = await get_subscription(session, principal, webhook_id, for_update=True)
    refuse_nulls(data, ("url", "events", "active"))
    if data.url is not None and data.url != sub.url:
        await check_target(data.url, settings)
        sub.url = data.url
    if data.events is not None:
        sub.events = sorted(set(data.events))
    if "description" in data.model_fields_set:
        sub.description = data.description
    if data.active is not None and data.active != sub.active:
        sub.active = data.active
        if data.active:  # re-enabled: pending deliveries resume with the next sweep
            sub.disabled_at = sub.disabled_reason = sub.failing_since = None
        else:
            sub.disabled_at, sub.disabled_reason = utcnow(), "Disabled by an admin."
    sub.updated_at = utcnow()
    await session.flush()
    return sub


async def delete_subscription(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID
) -> None:
    sub = await get_subscription(session, principal, webhook_id)
    await session.delete(sub)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, settings: Settings, webhook_id: uuid.UUID
) -> tuple[WebhookSubscription, str]:
    """A new secret signs from now on; the old one keeps signing alongside it for 24 h."""
    sub = await get_subscription(session, principal, webhook_id, for_update=True)
    secret = new_secret()
    now = utcnow()
    sub.previous_secret_encrypted = sub.secret_encrypted
    sub.previous_secret_expires_at = now + PREVIOUS_SECRET_TTL
    sub.secret_encrypted = encrypt_secret(secret, settings.resolved_secret_key())
    sub.updated_at = now
    await session.flush()
    return sub, secret


def webhook_read(sub: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate(sub)


def webhook_with_secret(sub: WebhookSubscription, secret: str) -> WebhookWithSecret:
    """The subscription with its secret: only in the answer that made the secret."""
    return WebhookWithSecret.model_validate({**webhook_read(sub).model_dump(), "secret": secret})


async def create_webhook(
    session: AsyncSession, principal: Principal, settings: Settings, data: WebhookCreate
) -> WebhookWithSecret:
    sub, secret = await create_subscription(session, principal, settings, data)
    return webhook_with_secret(sub, secret)


async def get_webhook(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID
) -> WebhookRead:
    return webhook_read(await get_subscription(session, principal, webhook_id))


async def update_webhook(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
) -> WebhookRead:
    return webhook_read(await update_subscription(session, principal, settings, webhook_id, data))


async def rotate_webhook_secret(
    session: AsyncSession, principal: Principal, settings: Settings, webhook_id: uuid.UUID
) -> WebhookWithSecret:
    sub, secret = await rotate_secret(session, principal, settings, webhook_id)
    return webhook_with_secret(sub, secret)


def _delivery_fields(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.subscription_id,
        "message_id": f"msg_{delivery.id.hex}",
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "ticket_id": delivery.ticket_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_attempt_at": delivery.last_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_latency_ms": delivery.last_latency_ms,
        "last_response_body": delivery.last_response_body,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }


def delivery_read(delivery: WebhookDelivery) -> DeliveryRead:
    """A delivery as its log shows it; `message_id` is the `webhook-id` header it is sent with."""
    return DeliveryRead.model_validate(_delivery_fields(delivery))


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    webhook_id: uuid.UUID,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[DeliveryRead]:
    """Newest first, keyset-paged on (created_at, id)."""
    await get_subscription(session, principal, webhook_id)
    before = None
    if cursor:
        created_at, last_id = decode_cursor(cursor, 2)
        before = (created_at, last_id)
    rows = await repository.deliveries_before(
        session,
        webhook_id,
        statuses=status.split(",") if status else [],
        before=before,
        limit=limit + 1,
    )
    rows, next_cursor = keyset_page(rows, limit, lambda d: [d.created_at, d.id])
    return Page[DeliveryRead](items=[delivery_read(d) for d in rows], next_cursor=next_cursor)


async def get_delivery(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    await get_subscription(session, principal, webhook_id)
    delivery = await repository.find_delivery(session, webhook_id, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"No delivery {delivery_id} for this webhook.")
    return delivery


async def delivery_detail(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryDetail:
    """One delivery with its exact payload and every attempt it made."""
    delivery = await get_delivery(session, principal, webhook_id, delivery_id)
    attempts = await repository.delivery_attempts(session, delivery.id)
    return DeliveryDetail.model_validate(
        {
            **_delivery_fields(delivery),
            "payload": json.loads(delivery.payload),
            "attempt_log": [AttemptRead.model_validate(a) for a in attempts],
        }
    )


async def redeliver(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryRead:
    """Send the same message (same `webhook-id`) again now, with a fresh retry schedule."""
    delivery = await get_delivery(session, principal, webhook_id, delivery_id)
    await repository.reschedule_delivery(session, delivery, utcnow())
    db = context(session).db
    assert db is not None, "sessions are opened through Database or get_session"
    after_commit(session, lambda: enqueue_deliveries(db, [delivery.id]))
    return delivery_read(delivery)


async def list_subscriptions(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[WebhookRead]:
    """Oldest first, keyset-paged on (created_at, id)."""
    after = None
    if cursor:
        created_at, last_id = decode_cursor(cursor, 2)
        after = (created_at, last_id)
    rows = await repository.subscriptions_after(session, principal.workspace_id, after, limit + 1)
    rows, next_cursor = keyset_page(rows, limit, lambda s: [s.created_at, s.id])
    return Page[WebhookRead](items=[webhook_read(s) for s in rows], next_cursor=next_cursor)
