"""Automation rules called directly: schedule rules, auto-close, failing rules, evaluation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from tests.automations.conftest import AGENT, activity, new_ticket, rule, team, workspace_of
from ticketdesk.automations import service as automations
from ticketdesk.automations.schemas import AutoCloseSettings, AutomationCreate
from ticketdesk.db import utcnow
from ticketdesk.models import Event, Ticket
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketUpdate


async def test_schedule_rules_fire_once_per_ticket_until_it_changes(tenant, db):
    await rule(
        tenant,
        trigger="schedule",
        name="Stale",
        conditions={
            "all": [
                {"field": "hours_in_status", "op": "gte", "value": 72},
                {"field": "status_category", "op": "is", "value": "open"},
            ]
        },
        actions=[
            {"type": "add_labels", "value": ["stale"]},
            {"type": "add_comment", "value": "Nudge"},
        ],
    )
    created = await tenant.create_ticket(subject="Forgotten")
    later = utcnow() + timedelta(hours=73)
    assert await automations.run_schedule(db, now=utcnow()) == 0
    assert await automations.run_schedule(db, now=later) >= 1
    await automations.run_schedule(db, now=later + timedelta(minutes=1))
    got = (await tenant.get(f"/tickets/{created['key']}")).json()
    assert got["labels"] == ["stale"]
    comments = (await tenant.get(f"/tickets/{created['key']}/comments")).json()
    assert len(comments) == 1
    assert comments[0]["author"]["name"] == "Stale"


async def test_auto_close_reminds_then_closes(tenant, db):
    response = await tenant.post(
        "/settings/auto-close", json={"reminder_after_days": 3, "close_after_days": 7}
    )
    assert response.status_code == 200, response.text
    assert response.json()["enabled"] is True
    created = await tenant.create_ticket(subject="Waiting on you")
    await tenant.patch(f"/tickets/{created['key']}", json={"status": "waiting"})
    start = utcnow()
    assert await automations.run_auto_close(db, now=start + timedelta(days=2)) == {
        "reminded": 0,
        "closed": 0,
    }
    done = await automations.run_auto_close(db, now=start + timedelta(days=4))
    assert done["reminded"] >= 1
    again = await automations.run_auto_close(db, now=start + timedelta(days=4, minutes=1))
    assert again["reminded"] == 0
    comments = (await tenant.get(f"/tickets/{created['key']}/comments")).json()
    assert len(comments) == 1
    assert comments[0]["visibility"] == "public"
    await automations.run_auto_close(db, now=start + timedelta(days=8))
    got = (await tenant.get(f"/tickets/{created['key']}")).json()
    assert got["status"] == "closed"
    comments = (await tenant.get(f"/tickets/{created['key']}/comments")).json()
    assert "closing this ticket" in comments[-1]["body"]
    closers = {
        e["actor"]["name"]
        for e in await activity(tenant, created["key"])
        if e["type"] == "ticket.status_changed" and e["data"]["to"] == "closed"
    }
    assert closers == {"Auto-close"}
    bad = await tenant.post(
        "/settings/auto-close", json={"reminder_after_days": 9, "close_after_days": 7}
    )
    assert bad.status_code == 422


def schedule_rule(name: str, actions: list, conditions: dict | None = None) -> AutomationCreate:
    return AutomationCreate.model_validate(
        {"name": name, "trigger": "schedule", "conditions": conditions or {}, "actions": actions}
    )


async def test_later_rules_see_what_earlier_rules_changed(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        raise_ = await automations.create_rule(
            session,
            workspace.id,
            schedule_rule("Raise", [{"type": "set_priority", "value": "high"}]),
        )
        label = await automations.create_rule(
            session,
            workspace.id,
            schedule_rule(
                "Label",
                [{"type": "add_labels", "value": ["raised"]}],
                {"all": [{"field": "priority", "op": "is", "value": "high"}]},
            ),
        )
        first = await new_ticket(session, workspace)
        second = await new_ticket(session, workspace)
        now = utcnow()
        assert await automations.run_rules(session, workspace, first, [raise_, label], now=now) == [
            "Raise",
            "Label",
        ]
        assert await automations.run_rules(
            session, workspace, second, [label, raise_], now=now
        ) == ["Raise"]
        assert sorted(await tickets.ticket_labels(session, first.id)) == ["raised"]
        assert sorted(await tickets.ticket_labels(session, second.id)) == []
        assert (first.priority, second.priority) == ("high", "high")


async def failures(session, ticket_id):
    rows = await session.scalars(
        select(Event).where(Event.ticket_id == ticket_id, Event.type == "ticket.automation_failed")
    )
    return list(rows)


async def test_a_broken_rule_records_its_failure_and_never_blocks_the_change(db, tenant):
    nobody = await team(tenant, "Nobody yet", [])  # round robin over no one fails as it runs
    broken_actions = [
        {"type": "set_priority", "value": "urgent"},
        {"type": "set_team", "value": nobody["id"]},
        {"type": "assign", "value": "round_robin"},
    ]
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        broken = []
        for trigger in ("ticket.created", "ticket.updated"):
            data = AutomationCreate.model_validate(
                {"name": "Broken", "trigger": trigger, "actions": broken_actions, "position": 0}
            )
            broken.append(await automations.create_rule(session, workspace.id, data))
        works = AutomationCreate.model_validate(
            {
                "name": "Works",
                "trigger": "ticket.created",
                "actions": [{"type": "add_labels", "value": ["ok"]}],
                "position": 1,
            }
        )
        await automations.create_rule(session, workspace.id, works)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await new_ticket(session, workspace, subject="Still created")
        ticket_id = ticket.id
        assert ticket.priority == "normal"  # the broken rule's changes rolled back together
        assert ticket.status == "open"
        assert sorted(await tickets.ticket_labels(session, ticket.id)) == ["ok"]  # next rule ran
        [failed] = await failures(session, ticket.id)
        assert failed.actor_kind == "system"
        assert failed.actor_name == "Broken"
        assert failed.data["automation_id"] == str(broken[0].id)
        assert "No active agent" in failed.data["error"]
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await session.get(Ticket, ticket_id)
        await tickets.update_ticket(
            session, workspace, ticket, TicketUpdate(subject="Renamed"), actor=AGENT
        )
        await session.flush()
    async with db.unit_of_work() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert (ticket.subject, ticket.priority) == ("Renamed", "normal")
        assert [str(f.data["automation_id"]) for f in await failures(session, ticket_id)] == [
            str(broken[0].id),
            str(broken[1].id),
        ]


async def test_auto_close_closes_only_stale_tickets_in_waiting_statuses(db, tenant, other_tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        settings = await automations.set_auto_close(
            session, workspace, AutoCloseSettings(close_after_days=7)
        )
        assert (settings.enabled, settings.close_after_days) == (True, 7)
    start = utcnow()
    keys = {}
    for name, status in (
        ("stale", "waiting"),
        ("recent", "waiting"),
        ("working", "in_progress"),
        ("solved", "resolved"),
    ):
        created = await tenant.create_ticket(subject=name)
        await tenant.patch(f"/tickets/{created['key']}", json={"status": status})
        keys[name] = created
    elsewhere = await other_tenant.create_ticket(subject="auto-close is off here")
    await other_tenant.patch(f"/tickets/{elsewhere['key']}", json={"status": "waiting"})
    async with db.unit_of_work() as session:  # "recent" started waiting five days later
        await session.execute(
            update(Ticket)
            .where(Ticket.id == uuid.UUID(keys["recent"]["id"]))
            .values(status_changed_at=start + timedelta(days=5))
        )

    async def statuses():
        got = {
            n: (await tenant.get(f"/tickets/{t['key']}")).json()["status"] for n, t in keys.items()
        }
        got["elsewhere"] = (await other_tenant.get(f"/tickets/{elsewhere['key']}")).json()["status"]
        return got

    await automations.run_auto_close(db, now=start + timedelta(days=6, hours=23))
    assert (await statuses())["stale"] == "waiting"  # not yet 7 days (reminded: 1 day before)
    done = await automations.run_auto_close(db, now=start + timedelta(days=8))
    assert done["closed"] >= 1
    assert await statuses() == {
        "stale": "closed",
        "recent": "waiting",
        "working": "in_progress",
        "solved": "resolved",
        "elsewhere": "waiting",
    }
    comments = (await tenant.get(f"/tickets/{keys['stale']['key']}/comments")).json()
    assert [(c["body"], c["visibility"]) for c in comments] == [
        (automations.DEFAULT_REMINDER, "public"),  # none configured: a day before the close
        (automations.DEFAULT_CLOSE, "public"),
    ]
    await automations.run_auto_close(db, now=start + timedelta(days=11, minutes=1))
    await automations.run_auto_close(db, now=start + timedelta(days=12, minutes=1))
    assert (await statuses())["recent"] == "closed"
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        off = await automations.set_auto_close(session, workspace, None)
    assert (off.enabled, off.close_after_days) == (False, None)


async def test_auto_close_is_for_statuses_waiting_on_the_customer_and_reminds_first(db, tenant):
    """A pending status that waits on someone else is left alone; a flagged custom one is
    auto-closed; a ticket long past the limit is reminded first and closed only after the
    time between reminder and close."""
    supplier = {"name": "awaiting_supplier", "label": "Awaiting supplier", "category": "pending"}
    assert (await tenant.post("/statuses", json=supplier)).status_code == 201
    customer = {
        "name": "awaiting_customer",
        "label": "Awaiting customer",
        "category": "pending",
        "waits_on_customer": True,
    }
    assert (await tenant.post("/statuses", json=customer)).status_code == 201
    keys = {}
    for status in ("waiting", "awaiting_supplier", "awaiting_customer"):
        created = await tenant.create_ticket(subject=status)
        await tenant.patch(f"/tickets/{created['key']}", json={"status": status})
        keys[status] = created["key"]
    start = utcnow()  # auto-close is turned on when all three have waited 30 days
    settings = {"reminder_after_days": 3, "close_after_days": 7}
    assert (await tenant.post("/settings/auto-close", json=settings)).status_code == 200

    async def state(key):
        ticket = (await tenant.get(f"/tickets/{key}")).json()
        comments = (await tenant.get(f"/tickets/{key}/comments")).json()
        return ticket["status"], [c["body"] for c in comments]

    reminder, close = automations.DEFAULT_REMINDER, automations.DEFAULT_CLOSE
    # (the counts cover every workspace in the test database: this one's tickets decide)
    first = await automations.run_auto_close(db, now=start + timedelta(days=30))
    assert first["reminded"] >= 2  # past the limit, but reminded first, not closed
    assert await state(keys["waiting"]) == ("waiting", [reminder])
    assert await state(keys["awaiting_customer"]) == ("awaiting_customer", [reminder])
    assert await state(keys["awaiting_supplier"]) == ("awaiting_supplier", [])

    await automations.run_auto_close(db, now=start + timedelta(days=33, hours=23))
    assert await state(keys["waiting"]) == ("waiting", [reminder])  # 4 days reminder to close
    later = await automations.run_auto_close(db, now=start + timedelta(days=34, minutes=1))
    assert later["closed"] >= 2
    assert await state(keys["waiting"]) == ("closed", [reminder, close])
    assert await state(keys["awaiting_customer"]) == ("closed", [reminder, close])
    assert await state(keys["awaiting_supplier"]) == ("awaiting_supplier", [])
