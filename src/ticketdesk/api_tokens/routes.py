"""HTTP for a workspace's API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.api_tokens import service
from ticketdesk.api_tokens.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead
from ticketdesk.auth.principal import Admin
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems

router = APIRouter(tags=["api-tokens"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.post("/api-tokens", status_code=201, operation_id="api_tokens:create", responses=_WRITE)
async def create_api_token(
    data: ApiTokenCreate, session: SessionDep, principal: Admin
) -> ApiTokenCreated:
    """A new `td_…` token; the token itself is in this response only."""
    return await service.create_api_token(session, principal, data)


@router.get("/api-tokens", operation_id="api_tokens:list", responses=problems(401, 403))
async def list_api_tokens(session: SessionDep, principal: Admin) -> list[ApiTokenRead]:
    return [
        ApiTokenRead.model_validate(t) for t in await service.list_api_tokens(session, principal)
    ]


@router.delete(
    "/api-tokens/{token_id}",
    status_code=204,
    operation_id="api_tokens:revoke",
    responses=problems(401, 403, 404, 422),
)
async def revoke_api_token(token_id: uuid.UUID, session: SessionDep, principal: Admin) -> Response:
    await service.revoke_api_token(session, principal, token_id)
    return Response(status_code=204)
