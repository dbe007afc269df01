"""Workspace configuration is read once per process and never served stale: whoever writes a
configuration row (the API, a Core statement, plain SQL), the next request sees it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text

from tests.support import Statements
from ticketdesk.automations import service as automations
from ticketdesk.db import new_id, utcnow
from ticketdesk.models import Automation, EmailMessage, Workspace


async def _version(db: Any, workspace_id: str) -> int:
    async with db.unit_of_work() as session:
        found = await session.scalar(
            select(Workspace.config_version).where(Workspace.id == uuid.UUID(workspace_id))
        )
    assert found is not None
    return found


async def _rule(tenant: Any, **body: Any) -> dict[str, Any]:
    response = await tenant.post(
        "/automations",
        json={
            "name": "Urgent on outage",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "outage"}]},
            "actions": [{"type": "set_priority", "value": "urgent"}],
            **body,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_rules_are_read_once_then_changes_by_plain_sql_are_seen(tenant, db):
    await _rule(tenant)
    first = await tenant.create_ticket(subject="Big outage")
    assert first["priority"] == "urgent"

    with Statements(db) as seen:
        again = await tenant.create_ticket(subject="Second outage")
    assert again["priority"] == "urgent"
    reads = [s for s in seen if "FROM automations" in s or "FROM statuses" in s]
    assert reads == [], "configuration was read again although nothing changed"

    # behind the API's back: the trigger bumps the version, the next request reloads
    async with db.unit_of_work() as session:
        await session.execute(
            text("UPDATE automations SET active = :off WHERE workspace_id = :ws"),
            {"off": False, "ws": uuid.UUID(tenant.workspace_id).hex}
            if db.is_sqlite
            else {"off": False, "ws": uuid.UUID(tenant.workspace_id)},
        )
    third = await tenant.create_ticket(subject="Third outage")
    assert third["priority"] == "normal"


async def test_every_configuration_write_moves_the_version(tenant, db):
    before = await _version(db, tenant.workspace_id)
    rule = await _rule(tenant)
    after_create = await _version(db, tenant.workspace_id)
    assert after_create > before
    assert (await tenant.patch(f"/automations/{rule['id']}", json={"active": False})).is_success
    after_update = await _version(db, tenant.workspace_id)
    assert after_update > after_create
    status = {"name": "on_hold", "label": "On hold", "category": "pending"}
    assert (await tenant.post("/statuses", json=status)).status_code == 201
    after_status = await _version(db, tenant.workspace_id)
    assert after_status > after_update
    response = await tenant.put("/settings/email", json={"notify_ticket_opened": False})
    assert response.is_success, response.text
    assert await _version(db, tenant.workspace_id) > after_status

    # a new status is usable at once, and the opened email is no longer written
    ticket = await tenant.create_ticket(status="on_hold", requester={"email": "c@example.com"})
    assert ticket["status"] == "on_hold"
    async with db.unit_of_work() as session:
        emails = await session.scalars(
            select(EmailMessage).where(EmailMessage.ticket_id == uuid.UUID(ticket["id"]))
        )
        assert list(emails) == []


async def test_a_transaction_sees_its_own_configuration_writes(tenant, db):
    await _rule(tenant)
    workspace_id = uuid.UUID(tenant.workspace_id)
    async with db.unit_of_work() as session:
        await session.get(Workspace, workspace_id)
        before = [
            r.name for r in await automations.active_rules(session, workspace_id, "ticket.created")
        ]
        session.add(
            Automation(
                id=new_id(),
                workspace_id=workspace_id,
                name="Added in this transaction",
                trigger="ticket.created",
                conditions={},
                actions=[{"type": "add_label", "value": "x"}],
                active=True,
                position=99,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        await session.flush()
        during = [
            r.name for r in await automations.active_rules(session, workspace_id, "ticket.created")
        ]
        await session.rollback()
    assert before == ["Urgent on outage"]
    assert during == ["Urgent on outage", "Added in this transaction"]
    # rolled back: the shared copy is the one from before, and nothing leaked into it
    async with db.unit_of_work() as session:
        await session.get(Workspace, workspace_id)
        after = await automations.active_rules(session, workspace_id, "ticket.created")
    assert [r.name for r in after] == ["Urgent on outage"]
