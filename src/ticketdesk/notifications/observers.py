"""Who hears about a change: mentioned agents, the new assignee, and the ticket's watchers.

Registered as ticket and comment observers, so notifications are written in the same
transaction as the change that caused them.
"""

from __future__ import annotations

import re
import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.events import Actor
from ticketdesk.models import Comment, Ticket, Workspace
from ticketdesk.notifications import repository
from ticketdesk.notifications.service import notify, notify_watchers
from ticketdesk.tickets import service as tickets

# `@ada`, `@ada.lovelace`, `@ada@example.com`; not the middle of an email address
_MENTION_RE = re.compile(r"(?<![\w@.+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)", re.UNICODE)
EXCERPT_CHARS = 200


def _compact(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


async def mentioned_users(
    session: AsyncSession, workspace_id: uuid.UUID, body: str
) -> set[uuid.UUID]:
    """Active users of this workspace named in `body` by `@email`, `@handle` or `@Full Name`."""
    if "@" not in body:
        return set()
    tokens = {m.group(1).rstrip(".").lower() for m in _MENTION_RE.finditer(body)}
    users = await repository.active_users(session, workspace_id)
    lowered = body.lower()
    by_local: dict[str, list[uuid.UUID]] = {}
    by_first: dict[str, list[uuid.UUID]] = {}
    for user_id, name, email in users:
        by_local.setdefault(email.lower().split("@", 1)[0], []).append(user_id)
        if name.split():
            by_first.setdefault(name.split()[0].lower(), []).append(user_id)
    found: set[uuid.UUID] = set()
    for user_id, name, email in users:
        full = "@" + name.lower()
        at = lowered.find(full)
        while at != -1:
            end = at + len(full)
            if (at == 0 or not lowered[at - 1].isalnum()) and (
                end == len(lowered) or not lowered[end].isalnum()
            ):
                found.add(user_id)
                break
            at = lowered.find(full, at + 1)
        local = email.lower().split("@", 1)[0]
        first = name.split()[0].lower() if name.split() else None
        for token in tokens:
            if token == email.lower() or token == _compact(name):
                found.add(user_id)
            elif token == local and len(by_local[local]) == 1:
                found.add(user_id)
            elif first and token == first and len(by_first[first]) == 1:
                found.add(user_id)
    return found


class NewComment(Protocol):
    """What a new comment tells its observers (comments.service.CommentAdded has this shape;
    notifications need not know the comments room to hear about one)."""

    @property
    def comment(self) -> Comment: ...
    @property
    def ticket(self) -> Ticket: ...
    @property
    def workspace(self) -> Workspace: ...
    @property
    def actor(self) -> Actor: ...


async def notify_mentions(session: AsyncSession, added: NewComment) -> None:
    comment = added.comment
    if comment.visibility != "internal":
        return
    users = await mentioned_users(session, added.workspace.id, comment.body)
    if not users:
        return
    await notify(
        session,
        workspace_id=added.workspace.id,
        user_ids=users,
        kind="mention",
        ticket_id=added.ticket.id,
        exclude=added.actor.id,
        data={
            "ticket": tickets.ticket_key(added.workspace, added.ticket),
            "subject": added.ticket.subject,
            "comment_id": comment.id,
            "by": added.actor.name,
            "excerpt": comment.body[:EXCERPT_CHARS],
        },
    )


def _is_public(change: tickets.TicketChange) -> bool:
    comment = change.changes.get("comment")
    if comment is None:
        return bool(change.changes)
    return len(change.changes) > 1 or comment["to"].get("visibility") != "internal"


async def notify_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    ticket, workspace = change.ticket, change.workspace
    actor_id = change.actor.id
    key = tickets.ticket_key(workspace, ticket)
    assigned: set[uuid.UUID] = set()
    if change.created:
        if ticket.assignee_id is not None:
            assigned.add(ticket.assignee_id)
    elif (change.changes.get("assignee") or {}).get("to"):
        assigned.add(change.changes["assignee"]["to"]["id"])
    assigned.discard(actor_id)
    if assigned:
        await notify(
            session,
            workspace_id=workspace.id,
            user_ids=assigned,
            kind="assigned",
            ticket_id=ticket.id,
            data={"ticket": key, "subject": ticket.subject, "by": change.actor.name},
        )
    if change.created or not _is_public(change):
        return
    await notify_watchers(
        session, ticket, key, actor=change.actor, changes=change.changes, told=assigned
    )
