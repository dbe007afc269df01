"""The conversation rules, called directly: upserts never duplicate, agent replies reach the
chat but notes never do, tickets keep their transcript, and a conversation has a ceiling."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from ticketdesk.comments import service as comments
from ticketdesk.conversations import service as conversations
from ticketdesk.conversations.schemas import (
    ConversationTicketCreate,
    ConversationUpsert,
    MessageIn,
)
from ticketdesk.errors import ValidationFailed
from ticketdesk.events import Actor
from ticketdesk.models import Attachment, Conversation, Workspace

WIDGET = Actor("api_token", uuid.uuid4(), "widget")
AGENT = Actor("user", uuid.uuid4(), "Bob Agent")
CUSTOMER = Actor("contact", uuid.uuid4(), "Vic Visitor")


async def workspace_of(session, tenant) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


def chat(external_id: str | None = "chat-1", *bodies: str) -> ConversationUpsert:
    return ConversationUpsert.model_validate(
        {
            "external_id": external_id,
            "visitor": {"email": "vic@example.com", "name": "Vic Visitor", "country": "DE"},
            "messages": [{"author": "visitor", "body": body} for body in bodies],
        }
    )


async def test_an_upsert_by_external_id_keeps_one_conversation_and_counts_repeats(db, tenant):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        first, created = await conversations.upsert_conversation(
            session, workspace, chat("c-1", "hello", "ok"), actor=WIDGET
        )
        assert created
        again, created_again = await conversations.upsert_conversation(
            session, workspace, chat("c-1", "hello", "ok", "ok"), actor=WIDGET
        )
        assert (again.id, created_again) == (first.id, False)
        read = await conversations.conversation_read(session, workspace, again)
        count = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.workspace_id == workspace.id, Conversation.external_id == "c-1")
        )
    assert count == 1
    assert [m.body for m in read.messages] == ["hello", "ok", "ok"]
    assert [m.position for m in read.messages] == [1, 2, 3]
    assert read.message_count == 3


async def test_a_public_agent_reply_joins_the_transcript_but_notes_and_customers_do_not(
    db, tenant, settings
):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        conversation, _ = await conversations.upsert_conversation(
            session, workspace, chat("c-2", "Where is my parcel?"), actor=WIDGET
        )
        ticket = await conversations.create_ticket_from_conversation(
            session, settings, workspace, conversation, ConversationTicketCreate(), actor=AGENT
        )
        for body, visibility, actor in [
            ("Customer seems upset", "internal", AGENT),
            ("Any news?", "public", CUSTOMER),
            ("It ships today.", "public", AGENT),
        ]:
            await comments.add_comment(
                session, workspace, ticket, body=body, visibility=visibility, actor=actor
            )
        page = await conversations.messages_after(session, conversation, None, 100)
    assert [(m.author, m.body, m.author_name) for m in page.items] == [
        ("visitor", "Where is my parcel?", None),
        ("agent", "It ships today.", "Bob Agent"),
    ]
    assert page.next_cursor is None


async def test_a_converted_ticket_is_a_chat_ticket_that_keeps_its_transcript(db, tenant, settings):
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        conversation, _ = await conversations.upsert_conversation(
            session, workspace, chat("c-3", "My order never arrived\nOrder 42", "hi?"), actor=WIDGET
        )
        ticket = await conversations.create_ticket_from_conversation(
            session, settings, workspace, conversation, ConversationTicketCreate(), actor=AGENT
        )
        second = await conversations.create_ticket_from_conversation(
            session,
            settings,
            workspace,
            conversation,
            ConversationTicketCreate(subject="Refund"),
            actor=AGENT,
        )
        assert (ticket.channel, ticket.conversation_id) == ("chat", conversation.id)
        assert ticket.subject == "My order never arrived"
        assert second.subject == "Refund"
        files = (
            await session.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id))
        ).all()
        assert [(f.filename, f.content_type) for f in files] == [
            ("chat-transcript.txt", "text/plain")
        ]
        read = await conversations.conversation_read(session, workspace, conversation)
        assert [t.id for t in read.tickets] == [ticket.id, second.id]

        await conversations.append_messages(
            session,
            workspace,
            conversation,
            [MessageIn(author="visitor", body="bye")],
            actor=WIDGET,
        )
        await conversations.delete_conversation(session, workspace, conversation, actor=AGENT)
        kept = await conversations.transcript(session, workspace, ticket)
    assert kept.conversation_exists is False
    assert [m.body for m in kept.messages] == ["My order never arrived\nOrder 42", "hi?", "bye"]
    assert kept.visitor.name == "Vic Visitor"
    assert kept.ticket == f"{workspace.ticket_prefix}-{ticket.number}"


async def test_a_conversation_has_a_ceiling_and_polling_needs_one_of_its_messages(
    db, tenant, monkeypatch
):
    monkeypatch.setattr(conversations, "MAX_MESSAGES_PER_CONVERSATION", 3)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        conversation, _ = await conversations.upsert_conversation(
            session, workspace, chat(None, "one", "two"), actor=WIDGET
        )
        with pytest.raises(ValidationFailed):
            await conversations.append_messages(
                session,
                workspace,
                conversation,
                [MessageIn(author="visitor", body="three"), MessageIn(author="ai", body="four")],
                actor=WIDGET,
            )
        [third] = await conversations.append_messages(
            session, workspace, conversation, [MessageIn(author="ai", body="three")], actor=WIDGET
        )
        assert third.position == 3
        other, _ = await conversations.upsert_conversation(
            session, workspace, chat(None, "elsewhere"), actor=WIDGET
        )
        with pytest.raises(ValidationFailed):
            await conversations.messages_after(session, other, third.id, 10)
        first_page = await conversations.messages_after(session, conversation, None, 2)
    assert [m.body for m in first_page.items] == ["one", "two"]
    assert first_page.next_cursor == str(first_page.items[-1].id)
