"""API token rules called directly: what a token resolves to once created, revoked or expired,
and what it is created with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from ticketdesk.api_tokens import service as api_tokens
from ticketdesk.api_tokens.schemas import ApiTokenCreate
from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import NotFound, ValidationFailed
from ticketdesk.models import ApiToken


async def admin_of(session, tenant):
    principal = await principal_from_token(session, tenant.tokens["admin"])
    assert principal is not None
    return principal


async def create(db, tenant, **fields):
    async with db.unit_of_work() as session:
        data = ApiTokenCreate.model_validate({"name": "integration", **fields})
        return await api_tokens.create_api_token(session, await admin_of(session, tenant), data)


async def test_a_revoked_token_resolves_to_no_principal(tenant, db):
    created = await create(db, tenant, scopes=["tickets:write"])
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, created.token)
        assert principal is not None
        assert (principal.kind, principal.id, principal.role) == ("api_token", created.id, "agent")
        await api_tokens.revoke_api_token(session, await admin_of(session, tenant), created.id)
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, created.token) is None
        # revoking again keeps the first revocation time
        admin = await admin_of(session, tenant)
        [listed] = [
            t for t in await api_tokens.list_api_tokens(session, admin) if t.id == created.id
        ]
        first_revoked_at = listed.revoked_at
        await api_tokens.revoke_api_token(session, admin, created.id)
        assert first_revoked_at is not None and listed.revoked_at == first_revoked_at


async def test_an_expired_token_resolves_to_no_principal(tenant, db):
    created = await create(
        db, tenant, scopes=["tickets:read"], expires_at=datetime.now(UTC) + timedelta(minutes=5)
    )
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, created.token) is not None
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == created.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, created.token) is None


async def test_a_token_must_expire_in_the_future(tenant, db):
    with pytest.raises(ValidationFailed) as raised:
        await create(db, tenant, scopes=["tickets:read"], expires_at="2000-01-01T00:00:00Z")
    assert raised.value.errors[0]["loc"] == ["body", "expires_at"]


async def test_scopes_are_kept_once_each_and_decide_the_role(tenant, db):
    created = await create(db, tenant, scopes=["tickets:write", "tickets:read", "tickets:write"])
    assert created.scopes == ["tickets:read", "tickets:write"]
    assert created.token.startswith("td_") and created.token_prefix == created.token[:10]
    reader = await create(db, tenant, scopes=["tickets:read"])
    admin = await create(db, tenant, scopes=["admin"])
    async with db.unit_of_work() as session:
        roles = [
            (await principal_from_token(session, t.token)).role for t in (created, reader, admin)
        ]
    assert roles == ["agent", "viewer", "admin"]


async def test_a_token_of_another_workspace_cannot_be_revoked(tenant, other_tenant, db):
    theirs = await create(db, other_tenant, scopes=["tickets:read"])
    async with db.unit_of_work() as session:
        with pytest.raises(NotFound):
            await api_tokens.revoke_api_token(session, await admin_of(session, tenant), theirs.id)
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, theirs.token) is not None
