"""HTTP for webhook subscriptions and their delivery log (admins, or `webhooks:manage`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from ticketdesk.auth.principal import Principal, get_principal
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Forbidden, problems
from ticketdesk.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.schemas import Page
from ticketdesk.webhooks import service
from ticketdesk.webhooks.schemas import (
    DeliveryDetail,
    DeliveryRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def webhook_manager(principal: Principal = Depends(get_principal)) -> Principal:
    """Admins, or API tokens with the `webhooks:manage` (or `admin`) scope."""
    if principal.kind == "api_token":
        if not principal.scopes & {"webhooks:manage", "admin"}:
            raise Forbidden("This API token lacks the `webhooks:manage` scope.")
    elif not principal.has_role("admin"):
        raise Forbidden("Managing webhooks needs the admin role.")
    return principal


Manager = Annotated[Principal, Depends(webhook_manager)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500)]

_LOOKUP = problems(401, 403, 404, 422)
_WRITE = problems(400, 401, 403, 404, 413, 415, 422)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post(
    "",
    status_code=201,
    response_model=WebhookWithSecret,
    operation_id="webhooks:create",
    responses=problems(400, 401, 403, 409, 413, 415, 422),
)
async def create_webhook(
    data: WebhookCreate, request: Request, session: SessionDep, principal: Manager
) -> SerializedJSON:
    """Subscribe a URL to event types; the `secret` is shown only in this response."""
    created = await service.create_webhook(session, principal, _settings(request), data)
    return model_response(created, 201, Location=f"/api/v1/webhooks/{created.id}")


@router.get("", operation_id="webhooks:list", responses=problems(401, 403, 422))
async def list_webhooks(
    session: SessionDep, principal: Manager, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[WebhookRead]:
    return await service.list_subscriptions(session, principal, limit=limit, cursor=cursor)


@router.get("/{webhook_id}", operation_id="webhooks:get", responses=_LOOKUP)
async def get_webhook(
    webhook_id: uuid.UUID, session: SessionDep, principal: Manager
) -> WebhookRead:
    return await service.get_webhook(session, principal, webhook_id)


@router.patch("/{webhook_id}", operation_id="webhooks:update", responses=_WRITE)
async def update_webhook(
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
    request: Request,
    session: SessionDep,
    principal: Manager,
) -> WebhookRead:
    """Change the URL, events, description; `active: true` re-enables a disabled webhook."""
    return await service.update_webhook(session, principal, _settings(request), webhook_id, data)


@router.delete("/{webhook_id}", status_code=204, operation_id="webhooks:delete", responses=_LOOKUP)
async def delete_webhook(
    webhook_id: uuid.UUID, session: SessionDep, principal: Manager
) -> Response:
    await service.delete_subscription(session, principal, webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    operation_id="webhooks:rotate_secret",
    responses=_WRITE,
)
async def rotate_secret(
    webhook_id: uuid.UUID, request: Request, session: SessionDep, principal: Manager
) -> SerializedJSON:
    """A new secret, shown once; the previous one keeps signing alongside it for 24 h."""
    rotated = await service.rotate_webhook_secret(
        session, principal, _settings(request), webhook_id
    )
    return model_response(rotated)


@router.get("/{webhook_id}/deliveries", operation_id="webhooks:list_deliveries", responses=_LOOKUP)
async def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    principal: Manager,
    status: Annotated[
        str | None,
        Query(max_length=40, pattern=r"^(pending|delivered|failed)(,(pending|delivered|failed))*$"),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[DeliveryRead]:
    """The delivery log, newest first: status, response code, latency, next attempt."""
    return await service.list_deliveries(
        session, principal, webhook_id, status=status, limit=limit, cursor=cursor
    )


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    operation_id="webhooks:get_delivery",
    responses=_LOOKUP,
)
async def get_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: Manager
) -> DeliveryDetail:
    """One delivery with its exact payload and every attempt it made."""
    return await service.delivery_detail(session, principal, webhook_id, delivery_id)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    operation_id="webhooks:redeliver",
    responses=_WRITE,
)
async def redeliver(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: Manager
) -> DeliveryRead:
    """Send the message again now (same `webhook-id`), with a fresh retry schedule."""
    return await service.redeliver(session, principal, webhook_id, delivery_id)
