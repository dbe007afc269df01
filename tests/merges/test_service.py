"""The merge and split service, called with a real session."""

import uuid

import pytest
from sqlalchemy import select

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import TransitionNotAllowed
from ticketdesk.merges import service as merges
from ticketdesk.merges.schemas import SplitRequest
from ticketdesk.models import Comment, Ticket, TicketLink
from ticketdesk.tickets import service as tickets


async def _comment(tenant, key, body):
    response = await tenant.post(f"/tickets/{key}/comments", json={"body": body})
    assert response.status_code == 201, response.text
    return response.json()


async def _context(session, tenant, role="agent"):
    principal = await principal_from_token(session, tenant.tokens[role])
    assert principal is not None
    return principal, await tickets.get_workspace(session, principal)


async def test_merging_closes_the_source_and_its_comments_show_on_the_target(db, tenant):
    source = await tenant.create_ticket(subject="duplicate")
    target = await tenant.create_ticket(subject="original")
    await _comment(tenant, source["key"], "from the source")

    async with db.unit_of_work() as session:
        principal, workspace = await _context(session, tenant)
        merged_into = await merges.merge_tickets(
            session, principal, workspace, source["key"], target["id"]
        )
        assert merged_into.id == uuid.UUID(target["id"])
        closed = await session.get(Ticket, uuid.UUID(source["id"]))
        assert closed is not None
        assert closed.status_category == "closed"
        assert closed.merged_into_id == merged_into.id
        assert closed.closed_at is not None

    bodies = [c["body"] for c in (await tenant.get(f"/tickets/{target['key']}/comments")).json()]
    assert bodies == ["from the source"]

    async with db.unit_of_work() as session:
        principal, workspace = await _context(session, tenant)
        with pytest.raises(TransitionNotAllowed, match="already merged"):
            await merges.merge_tickets(session, principal, workspace, source["key"], target["key"])


async def test_splitting_moves_only_the_chosen_comments_to_a_linked_ticket(db, tenant):
    original = await tenant.create_ticket(subject="two problems", labels=["vip"])
    keep = await _comment(tenant, original["key"], "the printer")
    move = await _comment(tenant, original["key"], "the scanner")

    async with db.unit_of_work() as session:
        principal, workspace = await _context(session, tenant)
        created = await merges.split_ticket(
            session,
            principal,
            workspace,
            original["key"],
            SplitRequest(comment_ids=[uuid.UUID(move["id"])], subject="Scanner"),
        )
        created_id = created.id
        assert created.subject == "Scanner"
        assert sorted(await tickets.ticket_labels(session, created.id)) == ["vip"]

    async with db.unit_of_work() as session:
        on = dict(
            (
                await session.execute(
                    select(Comment.id, Comment.ticket_id).where(
                        Comment.id.in_([uuid.UUID(keep["id"]), uuid.UUID(move["id"])])
                    )
                )
            ).all()
        )
        assert on[uuid.UUID(keep["id"])] == uuid.UUID(original["id"])
        assert on[uuid.UUID(move["id"])] == created_id
        link = await session.scalar(select(TicketLink).where(TicketLink.ticket_id == created_id))
        assert link is not None
        assert link.other_id == uuid.UUID(original["id"])
        assert link.kind == "related"
