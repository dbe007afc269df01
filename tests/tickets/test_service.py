"""The ticket rules, called directly: numbering, labels, requesters, versions, status times."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from ticketdesk.context import context
from ticketdesk.errors import ValidationFailed, VersionConflict
from ticketdesk.events import Actor
from ticketdesk.models import Event, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate, TicketUpdate

AGENT = Actor("user", None, "Service Agent")


async def workspace_of(session, tenant) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


async def create(session, workspace, **fields):
    data = TicketCreate.model_validate({"subject": "Service-level", **fields})
    return await tickets.create_ticket(session, workspace, data, actor=AGENT, channel="api")


async def test_numbers_rise_by_one_and_the_created_event_names_the_key(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        first = await create(session, workspace)
        second = await create(session, workspace)
    assert second.number == first.number + 1
    async with db.unit_of_work() as session:
        created = await session.scalar(
            select(Event).where(Event.ticket_id == second.id, Event.type == "ticket.created")
        )
    assert created is not None
    assert created.data["ticket"] == f"{workspace.ticket_prefix}-{second.number}"
    assert (created.actor_kind, created.actor_name) == ("user", "Service Agent")


async def test_labels_are_created_once_and_the_requester_is_found_by_email(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        one = await create(
            session, workspace, labels=["Refund", "vip"], requester={"email": "kim@example.com"}
        )
        two = await create(
            session,
            workspace,
            labels=["refund"],
            requester={"email": "kim@example.com", "name": "Kim"},
        )
        assert one.requester_id == two.requester_id
        reads = await tickets.ticket_reads(session, workspace, [one, two])
    assert reads[0].labels == ["refund", "vip"]
    assert reads[1].labels == ["refund"]
    assert reads[1].requester is not None and reads[1].requester.name == "Kim"


async def create_in_own_transaction(db, tenant, **fields):
    async with db.unit_of_work() as session:
        await create(session, await workspace_of(session, tenant), **fields)


async def test_a_viewer_cannot_be_assigned_and_nothing_is_written(db, tenant):
    viewer_id = uuid.UUID(tenant.users["viewer"]["id"])
    with pytest.raises(ValidationFailed):
        await create_in_own_transaction(db, tenant, subject="Never stored", assignee_id=viewer_id)
    listed = (await tenant.get("/tickets", params={"q": "Never stored"})).json()["items"]
    assert listed == []


async def test_a_stale_version_is_refused_and_a_solve_stamps_resolved_at(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await create(session, workspace)
        with pytest.raises(VersionConflict):
            await tickets.update_ticket(
                session,
                workspace,
                ticket,
                TicketUpdate(priority="high"),
                actor=AGENT,
                if_match=f'"{ticket.version + 5}"',
            )
        await tickets.update_ticket(
            session,
            workspace,
            ticket,
            TicketUpdate(status="resolved"),
            actor=AGENT,
            if_match=f'"{ticket.version}"',
        )
        assert ticket.status_category == "solved"
        assert ticket.resolved_at is not None
        await tickets.reopen_ticket(session, workspace, ticket, actor=AGENT, if_match=None)
        assert ticket.status_category == "open"
        assert ticket.resolved_at is None


async def test_events_are_announced_only_once_their_transaction_commits(db, tenant):
    heard: list[str] = []

    async def listener(_db, events):
        heard.extend(e.type for e in events)

    async def create_then_fail():
        async with db.unit_of_work() as session:
            await create(session, await workspace_of(session, tenant))
            assert context(session).new_events  # pending, not yet announced
            raise RuntimeError("roll back")

    db.event_listeners.append(listener)
    try:
        with pytest.raises(RuntimeError):
            await create_then_fail()
        assert heard == []
        async with db.unit_of_work() as session:
            await create(session, await workspace_of(session, tenant))
        assert "ticket.created" in heard
    finally:
        db.event_listeners.remove(listener)
