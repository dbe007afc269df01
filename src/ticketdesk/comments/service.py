"""Comments: public replies to the requester and internal notes between agents."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.comments.render import render_markdown
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import TransitionNotAllowed, ValidationFailed
from ticketdesk.models import Comment, Ticket, Workspace
from ticketdesk.tickets import service as tickets


@dataclass
class CommentAdded:
    """Handed to comment observers (mentions, email, conversations) in the same transaction."""

    comment: Comment
    ticket: Ticket
    workspace: Workspace
    actor: dict[str, Any]


CommentObserver = Callable[[AsyncSession, CommentAdded], Awaitable[None]]
_observers: list[CommentObserver] = []


def add_observer(observer: CommentObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


async def add_comment(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    *,
    body: str,
    visibility: str,
    actor: dict[str, Any],
    created_at: datetime | None = None,
) -> Comment:
    if not body.strip():
        raise ValidationFailed("The comment is empty.", loc=("body", "body"))
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged; comment on the ticket it was merged into."
        )
    now = created_at or utcnow()
    comment = Comment(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        author_kind=actor["kind"],
        author_id=actor.get("id"),
        author_name=actor.get("name"),
        body=body,
        visibility=visibility,
        created_at=now,
    )
    session.add(comment)
    agent_reply = visibility == "public" and actor["kind"] in ("user", "api_token")
    if agent_reply and ticket.first_responded_at is None:
        ticket.first_responded_at = now
    tickets.touch(ticket, now)
    events.record(
        session,
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        type="ticket.comment_added",
        actor=actor,
        data={
            "ticket": tickets.ticket_key(workspace, ticket),
            "comment_id": comment.id,
            "visibility": visibility,
            "agent_reply": agent_reply,
        },
    )
    await session.flush()
    added = CommentAdded(comment=comment, ticket=ticket, workspace=workspace, actor=actor)
    for observer in list(_observers):
        await observer(session, added)
    await tickets.notify_observers(
        session,
        tickets.TicketChange(
            ticket=ticket,
            workspace=workspace,
            actor=actor,
            changes={
                "comment": {
                    "from": None,
                    "to": {"id": comment.id, "visibility": visibility, "agent_reply": agent_reply},
                }
            },
        ),
    )
    return comment


async def list_comments(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID], *, visibility: str | None = None
) -> Sequence[Comment]:
    stmt = select(Comment).where(Comment.ticket_id.in_(ticket_ids))
    if visibility:
        stmt = stmt.where(Comment.visibility == visibility)
    return (await session.scalars(stmt.order_by(Comment.created_at, Comment.id))).all()


async def merged_family(session: AsyncSession, ticket: Ticket) -> list[uuid.UUID]:
    """The ticket and every ticket merged into it (directly or through a chain of merges)."""
    family = [ticket.id]
    frontier = [ticket.id]
    while frontier:
        frontier = list(
            await session.scalars(
                select(Ticket.id).where(
                    Ticket.workspace_id == ticket.workspace_id,
                    Ticket.merged_into_id.in_(frontier),
                )
            )
        )
        frontier = [t for t in frontier if t not in family]
        family.extend(frontier)
    return family


def comment_view(comment: Comment, attachments: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return {
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
