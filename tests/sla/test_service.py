"""SLA rules called directly with a controllable clock: the observer keeping due times, the
sweep marking warnings and breaches once, escalations, and the explanation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update

from tests.sla.conftest import (
    CUSTOMER,
    HIGH,
    T0,
    at,
    event_types,
    make_policy,
    open_ticket,
    reply,
    set_status,
    workspace_of,
)
from ticketdesk.models import Event, Notification, SlaClock, Ticket
from ticketdesk.sla import service as sla
from ticketdesk.tickets.repository import sla_state


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

    async with db.unit_of_work() as session:
        await sla.sweep(session, now=T0)  # earlier tests' due tickets: the counts below are ours
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
    assert resolution["why"].endswith("in calendar time was met at 2026-11-23 13:50 UTC.")


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
        states = {c.metric: c.state for c in first.clocks}
        assert states == {"first_response": "stopped", "resolution": "breached"}


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


async def breach_events(session, ticket_id):
    rows = await session.scalars(
        select(Event)
        .where(Event.ticket_id == ticket_id, Event.type == "ticket.sla_breached")
        .order_by(Event.id)  # in the order they happened (PostgreSQL promises no order without)
    )
    return list(rows)


async def test_the_sweep_marks_each_breach_once_with_one_event_per_target(db, tenant):
    await make_policy(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        ticket_id, key = ticket.id, f"{workspace.ticket_prefix}-{ticket.number}"
    for minute in (61, 62, 90):  # the first response is late; later sweeps find it marked
        async with db.unit_of_work() as session:
            await sla.sweep(session, now=at(minute))
    async with db.unit_of_work() as session:
        [first] = await breach_events(session, ticket_id)
        assert first.data == {
            "ticket": key,
            "metric": "first_response",
            "due_at": "2026-11-23T10:00:00Z",
        }
        assert (await session.get(SlaClock, ticket_id)).breached_at == at(61)
        workspace = await workspace_of(session, tenant)
        await reply(session, workspace, await session.get(Ticket, ticket_id), at(95))
    # the late reply moves the clock to the resolution target: armed again, breached once
    for minute in (200, 241, 242):
        async with db.unit_of_work() as session:
            await sla.sweep(session, now=at(minute))
    async with db.unit_of_work() as session:
        breaches = await breach_events(session, ticket_id)
        assert [e.data["metric"] for e in breaches] == ["first_response", "resolution"]
        assert breaches[1].data["due_at"] == "2026-11-23T13:00:00Z"
        assert {e.actor_name for e in breaches} == {"SLA"}


async def test_only_open_category_statuses_run_the_resolution_clock(db, tenant):
    await make_policy(tenant, targets={"high": {"resolution_minutes": 60}})
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        await set_status(session, workspace, ticket, "in_progress", at(10))  # open: runs
        assert ticket.resolution_due_at == at(60)
        await set_status(session, workspace, ticket, "waiting", at(30))  # pending: paused
        assert (ticket.sla_state, ticket.due_at) == ("paused", None)
        ticket_id = ticket.id
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(500))  # long past the target, but the clock is paused
        assert await breach_events(session, ticket_id) == []
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await session.get(Ticket, ticket_id)
        await set_status(session, workspace, ticket, "open", at(600))  # 30 minutes were left
        assert ticket.resolution_due_at == at(630)
        assert ticket.sla_state == "ok"
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(629))
        assert await breach_events(session, ticket_id) == []
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=at(631))
        assert len(await breach_events(session, ticket_id)) == 1


async def test_an_escalation_that_cannot_run_does_not_undo_the_breach(db, tenant):
    leaver = await tenant.add_user("agent", "Lee Leaver", key="leaver")
    await make_policy(
        tenant,
        escalation=[
            {"on": "breach", "type": "set_priority", "value": "urgent"},
            {"on": "breach", "type": "assign", "value": leaver["id"]},
        ],
    )
    gone = await tenant.patch(f"/users/{leaver['id']}", json={"active": False})
    assert gone.status_code == 200, gone.text  # no longer assignable once the breach comes
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket_id = (await open_ticket(session, workspace, T0, priority="high")).id
    async with db.unit_of_work() as session:
        counts = await sla.sweep(session, now=at(61))
        assert counts["breach"] >= 1
    async with db.unit_of_work() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket.priority == "high"  # the failed escalation rolled back as a whole
        assert ticket.assignee_id is None
        assert len(await breach_events(session, ticket_id)) == 1
        assert (await session.get(SlaClock, ticket_id)).breached_at == at(61)


async def test_explain_gives_the_policy_calendar_and_clocks(db, tenant):
    policy = await make_policy(tenant, targets={"high": {"first_response_minutes": 30}})
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        explained = await sla.explain(session, workspace, ticket, now=at(45))
    assert explained.policy == {
        "id": uuid.UUID(policy["id"]),
        "name": "Standard",
        "position": policy["position"],
        "targets": {"first_response_minutes": 30},
        "priority": "high",
    }
    assert explained.business_hours is None
    assert explained.state == "breached"
    [clock] = explained.clocks
    assert (clock.metric, clock.state, clock.due_at) == ("first_response", "breached", at(30))
    assert clock.elapsed_minutes == 30  # counted up to the due time it explains
    assert clock.remaining_minutes == 0
    assert [(s.kind, s.start, s.end) for s in clock.segments] == [("running", T0, at(30))]


async def test_paused_turns_breached_when_a_first_response_runs_out_while_waiting(db, tenant):
    await make_policy(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        await set_status(session, workspace, ticket, "waiting", at(10))  # no reply yet
        assert ticket.sla_state == "paused"
        assert ticket.due_at == at(60)  # the first response does not pause
        assert sla_state(ticket, at(50)) == "paused"  # past 80 %, still paused
        assert sla_state(ticket, at(61)) == "breached"


URGENT = {"first_response_minutes": 30, "resolution_minutes": 120}


async def test_a_breach_escalation_that_raises_the_priority_breaches_each_target_once(db, tenant):
    """The escalation raises the priority, whose shorter targets give new, past due times:
    still the same targets, so still one `ticket.sla_breached` each (also across a pause)."""
    await make_policy(
        tenant,
        targets={"high": HIGH, "urgent": URGENT},
        escalation=[{"on": "breach", "type": "set_priority", "value": "urgent"}],
    )
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="high")
        ticket_id = ticket.id
    for minute in (61, 62, 70, 90):
        async with db.unit_of_work() as session:
            await sla.sweep(session, now=at(minute))
    async with db.unit_of_work() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert (ticket.priority, ticket.first_response_due_at) == ("urgent", at(30))
        assert [e.data["metric"] for e in await breach_events(session, ticket_id)] == [
            "first_response"
        ]
        workspace = await workspace_of(session, tenant)
        await reply(session, workspace, ticket, at(95))  # late; the resolution target is next
    for minute in (121, 122):
        async with db.unit_of_work() as session:
            await sla.sweep(session, now=at(minute))
    async with db.unit_of_work() as session:  # waiting and back: the same, breached target
        workspace = await workspace_of(session, tenant)
        ticket = await session.get(Ticket, ticket_id)
        await set_status(session, workspace, ticket, "waiting", at(130))
        await set_status(session, workspace, ticket, "open", at(150))
        assert ticket.resolution_due_at == at(120)  # it ran out before the pause
    for minute in (151, 200):
        async with db.unit_of_work() as session:
            await sla.sweep(session, now=at(minute))
    async with db.unit_of_work() as session:
        breaches = await breach_events(session, ticket_id)
        assert [e.data["metric"] for e in breaches] == ["first_response", "resolution"]
        ticket = await session.get(Ticket, ticket_id)
        assert sla_state(ticket, at(200)) == "breached"


def test_explanations_write_moments_to_the_minute_in_a_zone():
    moment = datetime(2026, 11, 23, 9, 5, 42, 123456, tzinfo=UTC)
    assert sla.for_humans(moment, "Europe/Berlin") == "2026-11-23 10:05 Europe/Berlin"
    assert sla.for_humans(moment, "UTC") == "2026-11-23 09:05 UTC"
    assert sla.for_humans(moment, "Not/AZone") == "2026-11-23 09:05 UTC"
