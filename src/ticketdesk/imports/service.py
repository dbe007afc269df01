"""Ticket import: a ticket from another help desk, created at its original time, with its
comments in order; SLA clocks run from `created_at`, so an old ticket arrives as it stands."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.comments import service as comments
from ticketdesk.db import utcnow
from ticketdesk.errors import ValidationFailed
from ticketdesk.imports import repository
from ticketdesk.imports.schemas import TicketImport
from ticketdesk.models import User, Workspace
from ticketdesk.schemas import aware
from ticketdesk.sla import service as sla
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate, TicketRead


async def import_ticket(
    session: AsyncSession, principal: Principal, data: TicketImport
) -> TicketRead:
    """Create the ticket and its comments as they happened; comments by an email of a
    workspace user count as agent replies."""
    workspace = await tickets.get_workspace(session, principal)
    created_at = aware(data.created_at)
    now = utcnow()
    if created_at > now:
        raise ValidationFailed("created_at lies in the future.", loc=("body", "created_at"))
    history = sorted(data.comments, key=lambda c: aware(c.created_at))
    for index, comment in enumerate(data.comments):
        if not created_at <= aware(comment.created_at) <= now:
            raise ValidationFailed(
                "A comment's created_at lies between the ticket's created_at and now.",
                loc=("body", "comments", index, "created_at"),
            )
    fields = data.model_dump(exclude={"created_at", "comments"}, exclude_unset=True)
    ticket = await tickets.create_ticket(
        session,
        workspace,
        TicketCreate.model_validate(fields),
        actor=principal.actor(),
        channel=data.channel or "api",
        created_at=created_at,
        suggest=False,  # an imported ticket arrives as it stood
    )
    authors = await import_authors(
        session, workspace, [c.author_email for c in history if c.author_email]
    )
    requester_email = data.requester.email if data.requester else None
    for comment in history:
        await comments.add_comment(
            session,
            workspace,
            ticket,
            body=comment.body,
            visibility=comment.visibility,
            actor=import_actor(authors, comment.author_email, requester_email),
            created_at=aware(comment.created_at),
        )
    await sla.recompute(session, ticket)  # the clocks as of now, past the last comment
    await session.flush()
    return await tickets.ticket_read(session, workspace, ticket)


async def import_authors(
    session: AsyncSession, workspace: Workspace, emails: Sequence[str]
) -> dict[str, User]:
    if not emails:
        return {}
    rows = await repository.users_by_email(session, workspace.id, set(emails))
    return {user.email: user for user in rows}


def import_actor(
    authors: dict[str, User], email: str | None, requester_email: str | None
) -> events.Actor:
    """Who wrote an imported comment: a workspace user (an agent reply) or the customer."""
    if email and email in authors:
        user = authors[email]
        return events.Actor("user", user.id, user.name)
    if email is None or email == requester_email:
        return events.Actor("contact", None, email or "requester")
    return events.Actor("contact", None, email)
