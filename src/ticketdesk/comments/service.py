"""Comments: public replies to the requester and internal notes between agents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments import service as attachments
from ticketdesk.comments import repository
from ticketdesk.comments.schemas import CommentRead
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
    actor: events.Actor


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
    actor: events.Actor,
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
        author_kind=actor.kind,
        author_id=actor.id,
        author_name=actor.name,
        body=body,
        visibility=visibility,
        created_at=now,
    )
    session.add(comment)
    agent_reply = visibility == "public" and actor.is_agent
    if agent_reply and ticket.first_responded_at is None:
        ticket.first_responded_at = now
    tickets.touch(ticket, now)
    data = {
        "ticket": tickets.ticket_key(workspace, ticket),
        "comment_id": comment.id,
        "visibility": visibility,
        "agent_reply": agent_reply,
    }
    # an imported comment's event keeps the comment's time (first response is measured to it)
    events.record_ticket_event(
        session, ticket, "ticket.comment_added", actor, data, created_at=created_at
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
    session: AsyncSession, ticket: Ticket, *, visibility: str | None = None
) -> list[CommentRead]:
    """Every comment on the ticket and on tickets merged into it, oldest first, with its files."""
    family = await tickets.merged_family(session, ticket)
    rows = await repository.of_tickets(session, ticket.workspace_id, family, visibility=visibility)
    files = await attachments.attachments_by_comment(
        session, ticket.workspace_id, [c.id for c in rows]
    )
    return [CommentRead.from_comment(c, files.get(c.id, ())) for c in rows]
