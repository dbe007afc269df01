"""The rules of API tokens: shown once, stored hashed, scoped, expiring in the future only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.api_tokens import repository
from ticketdesk.api_tokens.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead
from ticketdesk.auth.principal import Principal
from ticketdesk.auth.tokens import hash_token, new_api_token
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import ApiToken


async def create_api_token(
    session: AsyncSession, principal: Principal, data: ApiTokenCreate
) -> ApiTokenCreated:
    """A new `td_…` token; the one place its plain text exists is the returned model."""
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise ValidationFailed("`expires_at` must be in the future.", loc=("body", "expires_at"))
    token = new_api_token()
    api_token = ApiToken(
        id=new_id(),
        workspace_id=principal.workspace_id,
        name=data.name,
        token_prefix=token[:10],
        token_hash=hash_token(token),
        scopes=sorted(set(data.scopes)),
        created_by_id=principal.user_id,
        created_at=utcnow(),
        expires_at=data.expires_at,
    )
    repository.add_api_token(session, api_token)
    await session.flush()
    return ApiTokenCreated(**ApiTokenRead.model_validate(api_token).model_dump(), token=token)


async def list_api_tokens(session: AsyncSession, principal: Principal) -> Sequence[ApiToken]:
    return await repository.list_api_tokens(session, principal.workspace_id)


async def revoke_api_token(
    session: AsyncSession, principal: Principal, token_id: uuid.UUID
) -> None:
    """Revoke a token of the workspace; revoking it again changes nothing."""
    found = await repository.get_api_token(session, principal.workspace_id, token_id)
    api_token = ensure_found(found, "No such API token in this workspace.")
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
