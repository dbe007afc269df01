"""The email room's queries: the mail log (the send outbox), templates, channel settings, and
the few ticket lookups threading needs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import insert_ignoring_conflicts
from ticketdesk.models import (
    ChannelSettings,
    Comment,
    Contact,
    EmailMessage,
    EmailTemplate,
    Ticket,
    Workspace,
)

TICKET_EMAILS_LIMIT = 500
TEAM_KIND = "team_new_ticket"  # outbound.TEAM_KIND: the team's own notification

Scoped = type[EmailMessage] | type[EmailTemplate] | type[ChannelSettings] | type[Ticket]


def _in_workspace(model: Scoped, workspace_id: uuid.UUID) -> ColumnElement[bool]:
    """The tenant condition every workspace query of this room goes through."""
    return model.workspace_id == workspace_id


def _not_team_mail() -> ColumnElement[bool]:
    return or_(EmailMessage.kind.is_(None), EmailMessage.kind != TEAM_KIND)


# --- templates


async def stored_templates(session: AsyncSession, workspace_id: uuid.UUID) -> list[EmailTemplate]:
    return list(
        await session.scalars(
            select(EmailTemplate).where(_in_workspace(EmailTemplate, workspace_id))
        )
    )


async def stored_template(
    session: AsyncSession, workspace_id: uuid.UUID, kind: str, *, for_update: bool = False
) -> EmailTemplate | None:
    # the primary key is (workspace, kind): the tenant is part of the key
    return await session.get(EmailTemplate, (workspace_id, kind), with_for_update=for_update)


async def save_template(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    kind: str,
    *,
    subject: str,
    text: str,
    html: str,
    now: datetime,
) -> EmailTemplate:
    """Insert or overwrite the workspace's template of `kind` (locked while it changes)."""
    await insert_ignoring_conflicts(
        session,
        EmailTemplate,
        [
            {
                "workspace_id": workspace_id,
                "kind": kind,
                "subject": subject,
                "text_body": text,
                "html_body": html,
                "updated_at": now,
            }
        ],
        ["workspace_id", "kind"],
    )
    stored = await stored_template(session, workspace_id, kind, for_update=True)
    assert stored is not None
    stored.subject, stored.text_body, stored.html_body, stored.updated_at = (
        subject,
        text,
        html,
        now,
    )
    await session.flush()
    return stored


async def delete_template(session: AsyncSession, workspace_id: uuid.UUID, kind: str) -> None:
    await session.execute(
        delete(EmailTemplate).where(
            _in_workspace(EmailTemplate, workspace_id), EmailTemplate.kind == kind
        )
    )


# --- channel settings


async def find_channel_settings(
    session: AsyncSession, workspace_id: uuid.UUID, *, for_update: bool = False
) -> ChannelSettings | None:
    stmt = select(ChannelSettings).where(_in_workspace(ChannelSettings, workspace_id))
    if for_update:
        stmt = stmt.with_for_update()
    found: ChannelSettings | None = await session.scalar(stmt)
    return found


async def lock_channel_settings(
    session: AsyncSession, workspace_id: uuid.UUID, defaults: dict[str, Any]
) -> ChannelSettings:
    """The workspace's stored settings row, created from `defaults` first if missing; locked."""
    await insert_ignoring_conflicts(session, ChannelSettings, [defaults], ["workspace_id"])
    stored = await find_channel_settings(session, workspace_id, for_update=True)
    assert stored is not None
    return stored


# --- the mail log


async def find_message(
    session: AsyncSession, workspace_id: uuid.UUID, message_id: str
) -> EmailMessage | None:
    found: EmailMessage | None = await session.scalar(
        select(EmailMessage).where(
            _in_workspace(EmailMessage, workspace_id), EmailMessage.message_id == message_id
        )
    )
    return found


async def tickets_by_message_id(
    session: AsyncSession, workspace_id: uuid.UUID, message_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The ticket each of these Message-IDs (sent or received) belongs to. The team's own
    notifications are left out: an answer to one is the team talking, not the requester."""
    rows = await session.execute(
        select(EmailMessage.message_id, EmailMessage.ticket_id).where(
            _in_workspace(EmailMessage, workspace_id),
            EmailMessage.message_id.in_(message_ids),
            EmailMessage.ticket_id.is_not(None),
            _not_team_mail(),
        )
    )
    return {message_id: ticket_id for message_id, ticket_id in rows.all() if ticket_id}


async def ticket_emails(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID
) -> Sequence[EmailMessage]:
    return (
        await session.scalars(
            select(EmailMessage)
            .where(EmailMessage.ticket_id == ticket_id, _in_workspace(EmailMessage, workspace_id))
            .order_by(EmailMessage.created_at, EmailMessage.id)
            .limit(TICKET_EMAILS_LIMIT)
        )
    ).all()


async def thread_message_ids(session: AsyncSession, row: EmailMessage) -> Sequence[str]:
    """The ticket's other Message-IDs (received, or sent before `row`), oldest first; the
    team's notifications are not part of the requester's thread."""
    return (
        await session.scalars(
            select(EmailMessage.message_id)
            .where(
                EmailMessage.ticket_id == row.ticket_id,
                EmailMessage.id != row.id,
                _not_team_mail(),
                or_(
                    EmailMessage.status == "received",
                    (EmailMessage.direction == "out") & (EmailMessage.status == "sent"),
                ),
            )
            .order_by(EmailMessage.created_at, EmailMessage.id)
        )
    ).all()


async def already_queued(session: AsyncSession, ticket_id: uuid.UUID, event_key: str) -> bool:
    """Whether the ticket has an email of this `event_key` (a re-run job finds its own row)."""
    found = await session.scalar(
        select(EmailMessage.id).where(
            EmailMessage.ticket_id == ticket_id, EmailMessage.event_key == event_key
        )
    )
    return found is not None


def _claimable(
    email_id: uuid.UUID, now: datetime, claim_timeout: timedelta
) -> tuple[ColumnElement[bool], ...]:
    """The email is outbound and free: pending, or claimed by a worker that vanished."""
    return (
        EmailMessage.id == email_id,
        EmailMessage.direction == "out",
        or_(
            EmailMessage.status == "pending",
            (EmailMessage.status == "sending") & (EmailMessage.claimed_at < now - claim_timeout),
        ),
    )


async def skip_unsent(
    session: AsyncSession,
    email_id: uuid.UUID,
    *,
    now: datetime,
    claim_timeout: timedelta,
    error: str,
) -> bool:
    """Settle an unsent outbound email as skipped in one write; False when it was not ours."""
    skipped = await session.execute(
        update(EmailMessage)
        .where(*_claimable(email_id, now, claim_timeout))
        .values(status="skipped", last_error=error, sent_at=None)
        .execution_options(synchronize_session=False)
    )
    return getattr(skipped, "rowcount", 0) == 1


async def claim_unsent(
    session: AsyncSession, email_id: uuid.UUID, *, now: datetime, claim_timeout: timedelta
) -> bool:
    """Mark an unsent outbound email as being sent by this worker; False when it is not free
    (sent, skipped, failed, or another worker has it)."""
    claimed = await session.execute(
        update(EmailMessage)
        .where(*_claimable(email_id, now, claim_timeout))
        .values(status="sending", claimed_at=now, attempts=EmailMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1


async def finish_email(
    session: AsyncSession,
    email_id: uuid.UUID,
    *,
    status: str,
    error: str | None,
    sent_at: datetime | None,
) -> None:
    await session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == email_id)
        .values(status=status, last_error=error, sent_at=sent_at)
        .execution_options(synchronize_session=False)
    )


async def unsent_email_ids(
    session: AsyncSession,
    *,
    now: datetime,
    pending_after: timedelta,
    claim_timeout: timedelta,
    limit: int,
) -> Sequence[uuid.UUID]:
    """Outbound emails never handed to a runner, or claimed by a worker that vanished."""
    return (
        await session.scalars(
            select(EmailMessage.id)
            .where(
                EmailMessage.direction == "out",
                or_(
                    (EmailMessage.status == "pending")
                    & (EmailMessage.created_at < now - pending_after),
                    (EmailMessage.status == "sending")
                    & (EmailMessage.claimed_at < now - claim_timeout),
                ),
            )
            .order_by(EmailMessage.created_at)
            .limit(limit)
        )
    ).all()


# --- what threading and rendering read of tickets, contacts and comments


Found = TypeVar("Found", Ticket, Workspace, Contact, EmailMessage)


async def by_id(session: AsyncSession, model: type[Found], row_id: uuid.UUID) -> Found | None:
    """A ticket, workspace, contact or logged email by id (the identity map first)."""
    return await session.get(model, row_id)


async def requester_ticket_id(
    session: AsyncSession, workspace_id: uuid.UUID, number: int, requester_id: uuid.UUID
) -> uuid.UUID | None:
    """The id of ticket number `number`, only when `requester_id` is its requester."""
    found: uuid.UUID | None = await session.scalar(
        select(Ticket.id).where(
            _in_workspace(Ticket, workspace_id),
            Ticket.number == number,
            Ticket.requester_id == requester_id,
        )
    )
    return found


async def lock_ticket(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID
) -> Ticket | None:
    found: Ticket | None = await session.scalar(
        select(Ticket)
        .where(Ticket.id == ticket_id, _in_workspace(Ticket, workspace_id))
        .with_for_update()
    )
    return found


async def latest_public_comment(session: AsyncSession, ticket_id: uuid.UUID) -> Comment | None:
    found: Comment | None = await session.scalar(
        select(Comment)
        .where(Comment.ticket_id == ticket_id, Comment.visibility == "public")
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(1)
    )
    return found
