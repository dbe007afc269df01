"""The comment rules, called directly: who counts as a first response, what may be said where,
and what a ticket's comment list holds."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from ticketdesk.attachments import service as attachments
from ticketdesk.comments import service as comments
from ticketdesk.errors import TransitionNotAllowed, ValidationFailed
from ticketdesk.events import Actor
from ticketdesk.models import Comment, Event, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate

AGENT = Actor("user", uuid.uuid4(), "Bob Agent")
CUSTOMER = Actor("contact", uuid.uuid4(), "Kim Customer")


async def workspace_of(session, tenant) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


async def open_ticket(session, workspace, subject: str = "Comments") -> Ticket:
    data = TicketCreate(subject=subject)
    return await tickets.create_ticket(session, workspace, data, actor=AGENT, channel="api")


async def test_only_a_public_reply_by_an_agent_is_the_first_response(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace)
        await comments.add_comment(
            session, workspace, ticket, body="Looks odd", visibility="internal", actor=AGENT
        )
        await comments.add_comment(
            session, workspace, ticket, body="Any news?", visibility="public", actor=CUSTOMER
        )
        assert ticket.first_responded_at is None
        reply = await comments.add_comment(
            session, workspace, ticket, body="On it", visibility="public", actor=AGENT
        )
        assert ticket.first_responded_at == reply.created_at
        await comments.add_comment(
            session, workspace, ticket, body="Done", visibility="public", actor=AGENT
        )
        assert ticket.first_responded_at == reply.created_at
        flags = (
            await session.scalars(
                select(Event.data)
                .where(Event.ticket_id == ticket.id, Event.type == "ticket.comment_added")
                .order_by(Event.id)
            )
        ).all()
    assert [(f["visibility"], f["agent_reply"]) for f in flags] == [
        ("internal", False),
        ("public", False),
        ("public", True),
        ("public", True),
    ]


async def test_blank_comments_and_comments_on_merged_tickets_are_refused(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace)
        target = await open_ticket(session, workspace, "Target")
        with pytest.raises(ValidationFailed):
            await comments.add_comment(
                session, workspace, ticket, body=" \n\t ", visibility="public", actor=AGENT
            )
        ticket.merged_into_id = target.id
        with pytest.raises(TransitionNotAllowed):
            await comments.add_comment(
                session, workspace, ticket, body="Hello", visibility="public", actor=AGENT
            )
        stored = await session.scalar(
            select(func.count()).select_from(Comment).where(Comment.ticket_id == ticket.id)
        )
    assert stored == 0


async def test_the_list_holds_merged_tickets_comments_with_their_files_and_filters_by_visibility(
    db, tenant, settings
):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        target = await open_ticket(session, workspace, "Target")
        source = await open_ticket(session, workspace, "Source")
        unrelated = await open_ticket(session, workspace, "Unrelated")
        await comments.add_comment(
            session, workspace, target, body="on target", visibility="public", actor=AGENT
        )
        note = await comments.add_comment(
            session, workspace, source, body="on source", visibility="internal", actor=AGENT
        )
        await comments.add_comment(
            session, workspace, unrelated, body="elsewhere", visibility="public", actor=AGENT
        )
        await attachments.add_attachment(
            session,
            settings,
            workspace,
            source,
            filename="trace.log",
            content_type="text/plain",
            data=b"trace",
            actor=AGENT,
            comment_id=note.id,
        )
        source.merged_into_id = target.id
        await session.flush()

        everything = await comments.list_comments(session, target)
        internal = await comments.list_comments(session, target, visibility="internal")
    assert [c.body for c in everything] == ["on target", "on source"]
    assert [[a.filename for a in c.attachments] for c in everything] == [[], ["trace.log"]]
    assert everything[1].author.name == "Bob Agent"
    assert everything[1].body_html == "<p>on source</p>\n"
    assert [c.body for c in internal] == ["on source"]
