"""Comment shapes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from ticketdesk.attachments.schemas import AttachmentRead
from ticketdesk.comments.render import render_markdown
from ticketdesk.models import Comment
from ticketdesk.schemas import CommentBody, Input, Output, UtcDateTime
from ticketdesk.tickets.schemas import ActorRead

Visibility = Literal["public", "internal"]


class CommentCreate(Input):
    body: CommentBody
    visibility: Visibility = "public"


class CommentRead(Output):
    id: uuid.UUID
    ticket_id: uuid.UUID
    body: str = Field(description="Markdown as written; never render it as HTML")
    body_html: str = Field(description="The body rendered from Markdown and sanitized")
    attachments: list[AttachmentRead]
    visibility: Visibility
    author: ActorRead
    created_at: UtcDateTime

    @classmethod
    def from_comment(
        cls, comment: Comment, attachments: Sequence[AttachmentRead] = ()
    ) -> CommentRead:
        """The one shape of a comment: its Markdown, the sanitized HTML, its author and files."""
        return cls.model_validate(
            {
                "id": comment.id,
                "ticket_id": comment.ticket_id,
                "body": comment.body,
                "body_html": render_markdown(comment.body),
                "attachments": list(attachments),
                "visibility": comment.visibility,
                "author": {
                    "kind": comment.author_kind,
                    "id": comment.author_id,
                    "name": comment.author_name,
                },
                "created_at": comment.created_at,
            }
        )
