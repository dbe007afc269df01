"""Subscription rules on a real session: the secret shown once, tenants apart, paging, pausing."""

from __future__ import annotations

import uuid

import pytest

from tests.support import Tenant
from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.errors import ValidationFailed
from ticketdesk.webhooks import service
from ticketdesk.webhooks.schemas import WebhookCreate, WebhookUpdate


def admin_of(tenant: Tenant) -> Principal:
    admin = tenant.users["admin"]
    return Principal(
        workspace_id=uuid.UUID(tenant.workspace_id),
        kind="user",
        id=uuid.UUID(admin["id"]),
        name=admin["name"],
        role="admin",
    )


def hook(path: str, events: list[str] | None = None) -> WebhookCreate:
    return WebhookCreate(url=f"http://127.0.0.1:9/{path}", events=events or ["*"])


async def test_the_secret_is_in_the_create_answer_only_and_other_tenants_see_nothing(
    tenant: Tenant, other_tenant: Tenant, db: Database, settings: Settings
) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_webhook(
            session, admin_of(tenant), settings, hook("a", ["ticket.created", "ticket.created"])
        )
    assert created.secret.startswith("whsec_")
    assert created.events == ["ticket.created"]
    async with db.unit_of_work() as session:
        got = await service.get_webhook(session, admin_of(tenant), created.id)
        assert "secret" not in got.model_dump()
        assert got.model_dump() == created.model_dump(exclude={"secret"})
        with pytest.raises(service.WebhookNotFound):
            await service.get_webhook(session, admin_of(other_tenant), created.id)
        with pytest.raises(service.WebhookNotFound):
            await service.delete_subscription(session, admin_of(other_tenant), created.id)


async def test_subscriptions_page_oldest_first_without_gaps_or_repeats(
    tenant: Tenant, other_tenant: Tenant, db: Database, settings: Settings
) -> None:
    async with db.unit_of_work() as session:
        made = [
            (await service.create_webhook(session, admin_of(tenant), settings, hook(str(i)))).id
            for i in range(3)
        ]
        await service.create_webhook(session, admin_of(other_tenant), settings, hook("theirs"))
    async with db.unit_of_work() as session:
        first = await service.list_subscriptions(session, admin_of(tenant), limit=2, cursor=None)
        assert first.next_cursor is not None
        rest = await service.list_subscriptions(
            session, admin_of(tenant), limit=2, cursor=first.next_cursor
        )
    assert rest.next_cursor is None
    assert [w.id for w in first.items + rest.items] == made


async def test_pausing_records_why_and_resuming_clears_it(
    tenant: Tenant, db: Database, settings: Settings
) -> None:
    principal = admin_of(tenant)
    async with db.unit_of_work() as session:
        created = await service.create_webhook(session, principal, settings, hook("p"))
    async with db.unit_of_work() as session:
        paused = await service.update_webhook(
            session, principal, settings, created.id, WebhookUpdate(active=False)
        )
        assert (paused.active, paused.disabled_reason) == (False, "Disabled by an admin.")
        assert paused.disabled_at is not None
        with pytest.raises(ValidationFailed, match="`events` cannot be null"):
            await service.update_webhook(
                session, principal, settings, created.id, WebhookUpdate(events=None)
            )
    async with db.unit_of_work() as session:
        resumed = await service.update_webhook(
            session, principal, settings, created.id, WebhookUpdate(active=True)
        )
    assert (resumed.active, resumed.disabled_at, resumed.disabled_reason) == (True, None, None)
