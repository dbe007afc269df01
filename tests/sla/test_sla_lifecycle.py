"""SLA clocks through a ticket's life, with a controllable clock, on both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.sla.conftest import CUSTOMER, event_types, open_ticket, reply, set_status, workspace_of
from ticketdesk.models import Notification, SlaClock, Ticket
from ticketdesk.sla import service as sla
from ticketdesk.tickets.repository import sla_state

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


HIGH = {"first_response_minutes": 60, "next_response_minutes": 120, "resolution_minutes": 240}


async def make_policy(tenant, **body):
    payload = {"name": "Standard", "targets": {"high": HIGH}, **body}
    response = await tenant.post("/sla-policies", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


async def test_full_lifecycle_with_pauses_warnings_and_breaches(db, tenant):
    await make_policy(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        assert ticket.sla_state == "ok"
        assert ticket.first_response_due_at == at(60)
        assert ticket.resolution_due_at == at(240)
        assert ticket.due_at == at(60)
        ticket_id = ticket.id

    # 80 % of the first-response target (48 min) passes: warned once, not breached
    async with db.unit_of_work() as session:
        assert await sla.sweep(session, now=at(47)) == {"breach": 0, "warning": 0}
    async with db.unit_of_work() as session:
        counts = await sla.sweep(session, now=at(50))
        assert counts["warning"] >= 1
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(51))
        ticket = await session.get(Ticket, ticket_id)
        assert sla_state(ticket, at(51)) == "at_risk"
        assert await event_types(session, ticket_id, "ticket.sla_") == ["ticket.sla_warning"]

    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await session.get(Ticket, ticket_id)
        await reply(session, workspace, ticket, at(55))  # first response met in time
        assert ticket.first_responded_at == at(55)
        assert ticket.due_at == at(240)
        assert ticket.sla_state == "ok"
        await set_status(session, workspace, ticket, "waiting", at(60))  # pauses resolution
        assert ticket.sla_state == "paused"
        assert ticket.due_at is None
        await set_status(session, workspace, ticket, "open", at(120))  # resumes: +60 min
        assert ticket.resolution_due_at == at(300)
        await reply(session, workspace, ticket, at(130), actor=CUSTOMER)  # next response due
        assert ticket.next_response_due_at == at(250)
        assert ticket.due_at == at(250)

    async with db.unit_of_work() as session:
        assert (await sla.sweep(session, now=at(251)))["breach"] >= 1
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(252))
        ticket = await session.get(Ticket, ticket_id)
        assert sla_state(ticket, at(252)) == "breached"
        breaches = await event_types(session, ticket_id, "ticket.sla_breached")
        assert breaches == ["ticket.sla_breached"]

    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await session.get(Ticket, ticket_id)
        await reply(session, workspace, ticket, at(260))  # answers the customer
        assert ticket.next_response_due_at is None
        assert ticket.due_at == at(300)
        await set_status(session, workspace, ticket, "resolved", at(290))
        assert ticket.sla_state == "met"
        assert ticket.due_at is None

    explained = (await tenant.get(f"/tickets/TKT-{ticket.number}/sla")).json()
    assert explained["policy"]["name"] == "Standard"
    assert "first matching policy" in explained["why_policy"]
    resolution = next(c for c in explained["clocks"] if c["metric"] == "resolution")
    assert resolution["state"] == "met"
    assert resolution["due_at"] == "2026-11-23T14:00:00Z"
    kinds = [(s["kind"], s["start"], s["end"]) for s in resolution["segments"]]
    assert kinds == [
        ("running", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"),
        ("paused", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"),
        ("running", "2026-11-23T11:00:00Z", "2026-11-23T13:50:00Z"),
    ]
    assert resolution["elapsed_minutes"] == 230


async def test_late_resolution_is_breached_and_solved_without_reply_stops_first_response(
    db, tenant
):
    await make_policy(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        await set_status(session, workspace, ticket, "resolved", at(300))
        assert ticket.sla_state == "breached"  # resolved 60 min after its due time
        first = await sla.explain(session, workspace, ticket, now=at(301))
        states = {c["metric"]: c["state"] for c in first["clocks"]}
        assert states == {"first_response": "stopped", "resolution": "breached"}


async def test_no_policy_means_no_clock_and_priority_change_rematches(db, tenant):
    await make_policy(tenant, match={"priority": ["high"]})
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="low")
        assert ticket.sla_state == "none"
        assert ticket.due_at is None
    created = await tenant.create_ticket(priority="low")
    assert created["sla"]["state"] == "none"
    patched = await tenant.patch(f"/tickets/{created['key']}", json={"priority": "high"})
    assert patched.json()["sla"]["state"] == "ok"
    assert patched.json()["sla"]["first_response_due_at"] is not None
    explained = (await tenant.get(f"/tickets/{created['key']}/sla")).json()
    assert "priority 'high' is one of ['high']" in explained["why_policy"]


async def test_policies_match_in_order_by_labels_and_channel(tenant):
    await make_policy(
        tenant,
        name="VIP",
        match={"labels": ["vip"]},
        position=0,
        targets={"normal": {"first_response_minutes": 15}},
    )
    await make_policy(
        tenant,
        name="Chat",
        match={"channel": ["chat"]},
        position=1,
        targets={"normal": {"first_response_minutes": 30}},
    )
    vip = await tenant.create_ticket(labels=["vip"], channel="chat")
    chat = await tenant.create_ticket(channel="chat")
    other = await tenant.create_ticket(channel="email")
    explained = (await tenant.get(f"/tickets/{vip['key']}/sla")).json()
    assert explained["policy"]["name"] == "VIP"
    explained = (await tenant.get(f"/tickets/{chat['key']}/sla")).json()
    assert explained["policy"]["name"] == "Chat"
    assert "'VIP' (position 0) skipped: no label among ['vip']" in explained["why_policy"]
    assert other["sla"]["state"] == "none"


async def test_business_hours_import_and_explanation(tenant):
    hours = await tenant.post(
        "/business-hours",
        json={
            "name": "Berlin office",
            "timezone": "Europe/Berlin",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2025-12-24", "2025-12-25", "2025-12-26"],
        },
    )
    assert hours.status_code == 201, hours.text
    await make_policy(
        tenant,
        business_hours_id=hours.json()["id"],
        targets={"urgent": {"first_response_minutes": 120, "resolution_minutes": 600}},
    )
    # imported: created Tuesday 2025-12-23 16:00 Berlin; two hours of business time later is
    # Monday Dec 29 10:00 Berlin (three holidays and the weekend do not count)
    imported = await tenant.post(
        "/tickets/import",
        json={
            "subject": "Old ticket",
            "priority": "urgent",
            "created_at": "2025-12-23T15:00:00Z",
            "requester": {"email": "c@example.com"},
            "comments": [
                {
                    "body": "Still broken",
                    "created_at": "2025-12-23T15:30:00Z",
                    "author_email": "c@example.com",
                },
            ],
        },
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["created_at"] == "2025-12-23T15:00:00Z"
    assert body["sla"]["first_response_due_at"] == "2025-12-29T09:00:00Z"
    assert body["sla"]["state"] == "breached"  # long past by now
    explained = (await tenant.get(f"/tickets/{body['key']}/sla")).json()
    first = next(c for c in explained["clocks"] if c["metric"] == "first_response")
    kinds = [(s["kind"], s["reason"]) for s in first["segments"]]
    assert kinds[:5] == [
        ("running", "inside business hours"),
        ("outside_business_hours", "outside business hours"),
        ("holiday", "2025-12-24 is a holiday"),
        ("holiday", "2025-12-25 is a holiday"),
        ("holiday", "2025-12-26 is a holiday"),
    ]
    assert kinds[5:] == [
        ("outside_business_hours", "outside business hours"),
        ("running", "inside business hours"),
    ]
    assert first["segments"][-1]["end"] == "2025-12-29T09:00:00Z"
    assert first["elapsed_minutes"] == 120
    assert first["segments"][0]["counted_minutes"] == 60
    assert explained["business_hours"]["timezone"] == "Europe/Berlin"


async def test_holiday_import_from_the_holidays_package(tenant):
    created = await tenant.post(
        "/business-hours",
        json={
            "name": "NY",
            "timezone": "America/New_York",
            "weekly": {"mon": [["09:00", "17:00"]]},
        },
    )
    hours_id = created.json()["id"]
    imported = await tenant.post(
        f"/business-hours/{hours_id}/holidays/import", json={"country": "US", "years": [2026]}
    )
    assert imported.status_code == 200, imported.text
    assert (
        "2026-07-03" in imported.json()["holidays"] or "2026-07-04" in imported.json()["holidays"]
    )
    assert "2026-12-25" in imported.json()["holidays"]
    bad = await tenant.post(
        f"/business-hours/{hours_id}/holidays/import", json={"country": "ZZ", "years": [2026]}
    )
    assert bad.status_code == 422


async def test_validation_and_tenancy(tenant, other_tenant):
    bad = await tenant.post(
        "/business-hours",
        json={"name": "x", "timezone": "Mars/Base", "weekly": {"mon": [["09:00", "17:00"]]}},
    )
    assert bad.status_code == 422
    bad = await tenant.post(
        "/business-hours",
        json={"name": "x", "timezone": "UTC", "weekly": {"mon": [["17:00", "09:00"]]}},
    )
    assert bad.status_code == 422
    bad = await tenant.post(
        "/sla-policies", json={"name": "x", "targets": {"high": {"first_response_minutes": 10**12}}}
    )
    assert bad.status_code == 422
    policy = await make_policy(tenant)
    assert (await other_tenant.get(f"/sla-policies/{policy['id']}")).status_code == 404
    assert (
        await tenant.post("/sla-policies", json={"name": "v", "targets": {}}, role="viewer")
    ).status_code == 403
    assert (
        await tenant.post("/sla-policies", json={"name": "a", "targets": {}}, role="agent")
    ).status_code == 403


async def test_list_filters_use_due_at(db, tenant):
    await make_policy(tenant, targets={"high": {"first_response_minutes": 30}})
    overdue = await tenant.post(
        "/tickets/import",
        json={"subject": "Late", "priority": "high", "created_at": "2026-01-05T09:00:00Z"},
    )
    fresh = await tenant.create_ticket(priority="high")
    keys = lambda r: [t["key"] for t in r.json()["items"]]  # noqa: E731
    assert keys(await tenant.get("/tickets?sla=overdue")) == [overdue.json()["key"]]
    assert fresh["key"] in keys(await tenant.get("/tickets?sla=due_this_week"))
    assert keys(await tenant.get("/tickets?sla=at_risk")) == []
    # as if 80 % of its target had passed: at risk in the list and on the ticket, warned once
    async with db.unit_of_work() as session:
        past = datetime(2026, 1, 1, tzinfo=UTC)
        ticket_id = uuid.UUID(fresh["id"])
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(sla_warn_at=past))
        await session.execute(
            update(SlaClock).where(SlaClock.ticket_id == ticket_id).values(warn_at=past)
        )
        await sla.sweep(session)
        await sla.sweep(session)
        assert await event_types(session, ticket_id, "ticket.sla_") == ["ticket.sla_warning"]
    assert keys(await tenant.get("/tickets?sla=at_risk")) == [fresh["key"]]
    assert (await tenant.get(f"/tickets/{fresh['key']}")).json()["sla"]["state"] == "at_risk"
    assert (await tenant.get(f"/tickets/{overdue.json()['key']}")).json()["sla"]["state"] == (
        "breached"
    )


async def test_escalation_raises_priority_reassigns_and_notifies(db, tenant):
    agent_id = uuid.UUID(tenant.users["agent"]["id"])
    lead = await tenant.add_user("agent", "Lena Lead", key="lead")
    await make_policy(
        tenant,
        targets={"high": HIGH},
        escalation=[
            {"on": "warning", "type": "notify", "value": [lead["id"]]},
            {"on": "breach", "type": "set_priority", "value": "urgent"},
            {"on": "breach", "type": "assign", "value": lead["id"]},
        ],
    )
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(
            session, workspace, T0, priority="high", assignee_id=str(agent_id)
        )
        ticket_id = ticket.id
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(50))
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(61))
    async with db.unit_of_work() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket.priority == "urgent"
        assert str(ticket.assignee_id) == lead["id"]
        notes = (
            await session.execute(
                select(Notification.user_id, Notification.kind).where(
                    Notification.ticket_id == ticket_id
                )
            )
        ).all()
    assert {(str(u), k) for u, k in notes} >= {
        (str(agent_id), "sla_warning"),
        (lead["id"], "automation"),
        (str(agent_id), "sla_breach"),
    }
    log = (await tenant.get(f"/tickets/{ticket_id}/activity")).json()["items"]
    escalated = [e for e in log if e["type"] == "ticket.priority_changed"]
    assert escalated[0]["actor"]["name"] == "SLA escalation: Standard"


async def test_waiting_then_resolved_counts_only_open_time(db, tenant):
    await make_policy(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        await reply(session, workspace, ticket, at(10))
        await set_status(session, workspace, ticket, "waiting", at(20))
        await set_status(session, workspace, ticket, "resolved", at(600))
        # 20 minutes open, then waiting until solved: far inside the 240-minute target
        assert ticket.sla_state == "met"
        assert ticket.resolution_due_at == at(240 + 580)
        await set_status(session, workspace, ticket, "open", at(700))  # reopened: resumes
        assert ticket.resolution_due_at == at(700 + 220)
        assert ticket.sla_state == "ok"


async def test_a_target_the_calendar_cannot_reach_gives_no_due_time(tenant):
    hours = await tenant.post(
        "/business-hours",
        json={"name": "Rare", "timezone": "UTC", "weekly": {"sun": [["00:00", "00:01"]]}},
    )
    await make_policy(
        tenant,
        business_hours_id=hours.json()["id"],
        targets={"normal": {"first_response_minutes": 525_600}},
    )
    created = await tenant.create_ticket()
    assert created["sla"]["first_response_due_at"] is None
    assert (await tenant.get(f"/tickets/{created['key']}/sla")).status_code == 200
    old = await tenant.post(
        "/tickets/import", json={"subject": "Ancient", "created_at": "0001-01-01T00:00:00Z"}
    )
    assert old.status_code == 422
