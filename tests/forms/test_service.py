"""The form's rules on a real session: fixed-window rate limits, the honeypot, allowed origins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.support import Tenant
from ticketdesk.db import Database, utcnow
from ticketdesk.email import service as email
from ticketdesk.errors import NotFound, RateLimited
from ticketdesk.forms import service
from ticketdesk.forms.schemas import FormSubmission
from ticketdesk.models import Ticket

WINDOW = timedelta(minutes=10)


async def test_a_window_admits_its_limit_then_refuses_until_the_next_one(db: Database) -> None:
    key = f"form:test:{uuid.uuid4().hex}"
    epoch = int(utcnow().timestamp())
    start = datetime.fromtimestamp(epoch - epoch % 600, UTC)  # a window's first second
    async with db.unit_of_work() as session:
        for minute in (0, 4):
            await service.count_hit(
                session, key, limit=2, window=WINDOW, now=start + timedelta(minutes=minute)
            )
    async with db.unit_of_work() as session:
        with pytest.raises(RateLimited) as refused:
            await service.count_hit(
                session, key, limit=2, window=WINDOW, now=start + timedelta(minutes=7)
            )
    # the seconds left until the next window opens
    assert refused.value.headers == {"Retry-After": "180"}
    async with db.unit_of_work() as session:  # the next window starts from zero
        await service.count_hit(
            session, key, limit=2, window=WINDOW, now=start + timedelta(minutes=10)
        )


async def test_the_honeypot_answers_without_a_key_and_stores_no_ticket(
    tenant: Tenant, db: Database
) -> None:
    data = FormSubmission(
        email="bot@spam.example", subject="Cheap pills", description="...", website="x"
    )
    async with db.unit_of_work() as session:
        workspace = await service.workspace_by_slug(session, tenant.slug)
        receipt = await service.submit_form(session, workspace, data, client_ip="203.0.113.9")
        count = await session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.workspace_id == workspace.id)
        )
    assert receipt.key is None
    assert count == 0
    real = data.model_copy(update={"website": None})
    async with db.unit_of_work() as session:
        workspace = await service.workspace_by_slug(session, tenant.slug)
        receipt = await service.submit_form(session, workspace, real, client_ip="203.0.113.9")
    assert receipt.key == "TKT-1"


async def test_origins_belong_to_their_own_workspace(
    tenant: Tenant, other_tenant: Tenant, db: Database
) -> None:
    async with db.unit_of_work() as session:
        workspace = await service.workspace_by_slug(session, tenant.slug)
        await email.update_channel_settings(
            session, workspace.id, {"form_allowed_origins": ["https://acme.example"]}
        )
    async with db.unit_of_work() as session:
        assert await service.allowed_origins(session, tenant.slug) == ["https://acme.example"]
        assert await service.allowed_origins(session, other_tenant.slug) == []
        with pytest.raises(NotFound):
            await service.workspace_by_slug(session, "no-such-desk")
