"""Chat conversations (widgets, AI assistants), their messages, and the tickets they spawned."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_conversations_ws_created", "workspace_id", "created_at", "id"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    # the widget's own id for the conversation: posting it again updates instead of creating
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="chat")
    visitor_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    visitor_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    visitor_country: Mapped[str | None] = mapped_column(String(64), nullable=True)
    visitor_device: Mapped[str | None] = mapped_column(String(200), nullable=True)
    visitor_page_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # messages get positions 1, 2, 3 … so `?after=<id>` is a keyset over position
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "position"),
        Index("ix_conversation_messages_fingerprint", "conversation_id", "fingerprint"),
    )

    id: Mapped[UuidPk]
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    # sha256 of (author, body, sent_at as given): how an upsert recognises messages it has
    fingerprint: Mapped[str] = mapped_column(String(64))
    # set when the message is an agent's public comment on a linked ticket
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    sent_at: Mapped[DefaultNow]
    created_at: Mapped[DefaultNow]


class ConversationTicket(Base):
    """A ticket spawned from a conversation, with the transcript as it stood (it outlives it)."""

    __tablename__ = "conversation_tickets"
    __table_args__ = (Index("ix_conversation_tickets_conversation", "conversation_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[WorkspaceId]
    # no foreign key: the conversation may be deleted, the ticket and its transcript stay
    conversation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    visitor: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[DefaultNow]
