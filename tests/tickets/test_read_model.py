"""Ticket reads are built without validation (`model_construct`, for speed): every value they
carry must still be exactly what validating it would give, for every kind of ticket."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ticketdesk.models import Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketRead


async def test_every_read_equals_its_validated_copy(db, tenant) -> None:
    team = (await tenant.post("/teams", json={"name": "Billing"})).json()
    agent = tenant.users["agent"]["id"]
    plain = await tenant.create_ticket(subject="Bare")
    full = await tenant.create_ticket(
        subject="Everything set",
        priority="urgent",
        labels=["refund", "vip"],
        requester={"email": "kim@example.com", "name": "Kim"},
        assignee_id=agent,
        team_id=team["id"],
        custom_fields={"order": "A-7", "amount": 12.5, "gift": False},
        type="incident",
        category="billing",
    )
    merged = await tenant.create_ticket(subject="Duplicate", requester={"email": "kim@example.com"})
    answer = await tenant.post(f"/tickets/{merged['key']}/merge", json={"into": full["key"]})
    assert answer.status_code in (200, 201), answer.text
    solved = await tenant.patch(f"/tickets/{plain['key']}", json={"status": "resolved"})
    assert solved.status_code == 200, solved.text

    async with db.unit_of_work() as session:
        workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
        assert workspace is not None
        rows = list(
            await session.scalars(
                select(Ticket).where(Ticket.workspace_id == workspace.id).order_by(Ticket.number)
            )
        )
        reads = await tickets.ticket_reads(session, workspace, rows)
    assert len(reads) == 3
    for read in reads:
        validated = TicketRead.model_validate(read.model_dump())
        assert read.model_dump() == validated.model_dump(), read.key
        assert read.model_dump_json() == validated.model_dump_json(), read.key
    by_key = {read.key: read for read in reads}
    assert by_key[merged["key"]].merged_into == full["key"]
    assert by_key[full["key"]].assignee is not None and by_key[full["key"]].team is not None
    assert by_key[full["key"]].requester is not None
