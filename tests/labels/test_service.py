"""Label rules called directly: unique lowercase names, and a prefix that matches literally."""

from __future__ import annotations

import pytest

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import Conflict
from ticketdesk.labels import service as labels
from ticketdesk.labels.schemas import LabelCreate


async def agent_of(session, tenant):
    principal = await principal_from_token(session, tenant.tokens["agent"])
    assert principal is not None
    return principal


async def test_a_prefix_matches_literally_and_ignores_case(tenant, db):
    async with db.unit_of_work() as session:
        agent = await agent_of(session, tenant)
        for name in ("50%_off", "500-error", "5", "Refund", "refund-partial", "vip"):
            await labels.create_label(session, agent, LabelCreate(name=name))

        async def names(prefix, limit=200):
            found = await labels.list_labels(session, agent, prefix=prefix, limit=limit)
            return [label.name for label in found]

        assert await names("50%") == ["50%_off"]  # not a LIKE wildcard
        assert await names("5_") == []
        assert await names("  REF ") == ["refund", "refund-partial"]
        assert await names(None) == ["5", "50%_off", "500-error", "refund", "refund-partial", "vip"]
        assert await names("", limit=2) == ["5", "50%_off"]


async def test_names_are_unique_per_workspace_whatever_their_case(tenant, other_tenant, db):
    async with db.unit_of_work() as session:
        agent = await agent_of(session, tenant)
        created = await labels.create_label(
            session, agent, LabelCreate(name="Urgent", color="#ff0000")
        )
        assert (created.name, created.color) == ("urgent", "#ff0000")
        with pytest.raises(Conflict):
            await labels.create_label(session, agent, LabelCreate(name="URGENT"))
        theirs = await labels.create_label(
            session, await agent_of(session, other_tenant), LabelCreate(name="urgent")
        )
        assert theirs.workspace_id != created.workspace_id
        assert [
            label.name for label in await labels.list_labels(session, agent, prefix=None, limit=10)
        ] == ["urgent"]
