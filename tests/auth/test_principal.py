"""What a bearer token resolves to: the lookup every request runs."""

from __future__ import annotations

import uuid

from tests.support import Statements
from ticketdesk.auth.principal import SCOPES, principal_from_token
from ticketdesk.context import context
from ticketdesk.models import Workspace


async def test_a_session_token_resolves_to_its_user_and_keeps_the_workspace_at_hand(tenant, db):
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, tenant.tokens["agent"])
        assert principal is not None
        assert (principal.kind, principal.role, principal.name) == ("user", "agent", "Bob Agent")
        assert str(principal.id) == tenant.users["agent"]["id"]
        assert principal.scopes == frozenset(SCOPES) and principal.session_id is not None
        # the identity-map trick: the workspace came with the lookup and stays referenced,
        # so reading it again costs no query
        kept = context(session).workspace
        assert kept is not None and kept.id == uuid.UUID(tenant.workspace_id)
        with Statements(db) as seen:
            again = await session.get(Workspace, principal.workspace_id)
        assert again is kept and seen == []
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, tenant.tokens["agent"] + "x") is None
        assert await principal_from_token(session, "tds_" + "0" * 40) is None
