"""Conversation shapes: the widget's upsert, messages, conversion to a ticket, the transcript."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ticketdesk.models import Conversation
from ticketdesk.schemas import (
    _NO_NUL,
    _ONE_LINE,
    _ONE_LINE_PATTERN,
    STRIP,
    CommentBody,
    Email,
    Input,
    JsonObject,
    LongText,
    Name100,
    Name200,
    Output,
    Subject,
    Timestamp,
    UtcDateTime,
)
from ticketdesk.tickets.schemas import Labels, Priority, Slug

Author = Literal["visitor", "ai", "agent"]
MAX_MESSAGES_PER_REQUEST = 500
VISITOR_FIELDS = ("email", "name", "country", "device", "page_url")

ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=_ONE_LINE_PATTERN),
    _NO_NUL,
    _ONE_LINE,
]
PageUrl = Annotated[
    str, StringConstraints(max_length=2000, pattern=_ONE_LINE_PATTERN), _NO_NUL, _ONE_LINE
]
Country = Annotated[
    str, StringConstraints(max_length=64, pattern=_ONE_LINE_PATTERN), _NO_NUL, _ONE_LINE, STRIP
]


class VisitorIn(Input):
    email: Email | None = None
    name: Name200 | None = None
    country: Country | None = None
    device: Name200 | None = None
    page_url: PageUrl | None = None


class MessageIn(Input):
    author: Author
    body: CommentBody
    author_name: Name100 | None = None
    sent_at: Timestamp | None = None


class ConversationUpsert(Input):
    external_id: ExternalId | None = None
    channel: Literal["chat"] = "chat"
    visitor: VisitorIn = VisitorIn()
    messages: Annotated[list[MessageIn], Field(max_length=MAX_MESSAGES_PER_REQUEST)] = []


class ConversationTicketCreate(Input):
    subject: Subject | None = None
    description: LongText | None = None
    priority: Priority = "normal"
    requester_email: Email | None = None
    labels: Labels = []
    type: Slug | None = None
    category: Slug | None = None
    custom_fields: JsonObject = Field(
        default={},
        description="checked against the field definitions; fields with `autofill` from the "
        "visitor (country, device, page) are filled in when left empty",
    )


class VisitorRead(Output):
    email: str | None
    name: str | None
    country: str | None
    device: str | None
    page_url: str | None

    @classmethod
    def from_conversation(cls, conversation: Conversation) -> VisitorRead:
        """The visitor as the conversation holds it (`visitor_email`, `visitor_name`, …)."""
        return cls.model_validate(
            {name: getattr(conversation, f"visitor_{name}") for name in VISITOR_FIELDS}
        )


class MessageRead(Output):
    id: uuid.UUID
    position: int
    author: Author
    author_name: str | None
    body: str
    sent_at: UtcDateTime
    created_at: UtcDateTime


class TicketLink(Output):
    id: uuid.UUID
    key: str


class ConversationSummary(Output):
    id: uuid.UUID
    external_id: str | None
    channel: str
    visitor: VisitorRead
    message_count: int
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @classmethod
    def from_conversation(cls, conversation: Conversation) -> ConversationSummary:
        return cls(
            id=conversation.id,
            external_id=conversation.external_id,
            channel=conversation.channel,
            visitor=VisitorRead.from_conversation(conversation),
            message_count=conversation.message_count,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )


class ConversationRead(Output):
    id: uuid.UUID
    external_id: str | None
    channel: str
    visitor: VisitorRead
    messages: list[MessageRead]
    message_count: int
    tickets: list[TicketLink]
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @classmethod
    def from_conversation(
        cls,
        conversation: Conversation,
        messages: Sequence[MessageRead],
        tickets: Sequence[TicketLink],
    ) -> ConversationRead:
        return cls(
            id=conversation.id,
            external_id=conversation.external_id,
            channel=conversation.channel,
            visitor=VisitorRead.from_conversation(conversation),
            messages=list(messages),
            message_count=conversation.message_count,
            tickets=list(tickets),
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )


class MessagePage(Output):
    items: list[MessageRead]
    next_cursor: str | None = Field(
        description="null when these are the newest messages; poll again with `after`"
    )


class TranscriptRead(Output):
    ticket: str
    conversation_id: uuid.UUID
    conversation_exists: bool
    visitor: VisitorRead
    messages: list[MessageRead]
