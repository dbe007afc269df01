"""Inbound email: a new message opens a ticket, a reply lands on its ticket as a public comment.

Threading, most reliable first: In-Reply-To/References naming a message the desk sent or
received, then a `[TKT-42]` tag in the subject. Auto-replies and bounces are recorded and
otherwise ignored, so they never open tickets or start mail loops.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments.service import add_attachment
from ticketdesk.comments import service as comments
from ticketdesk.config import Settings
from ticketdesk.db import new_id, utcnow
from ticketdesk.email import repository
from ticketdesk.email import settings as channel
from ticketdesk.email.offload import run_off_loop
from ticketdesk.email.parsing import (
    EmailTooLarge,
    MalformedEmail,
    ParsedAttachment,
    ParsedEmail,
    parse_reply,
)
from ticketdesk.email.schemas import InboundResult, InboundStatus
from ticketdesk.errors import TicketdeskError, ValidationFailed
from ticketdesk.models import Contact, EmailMessage, Ticket, Workspace
from ticketdesk.schemas import normalize_email
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate, TicketUpdate

MAX_COMMENT = 65_536
MAX_MERGE_HOPS = 10


class MalformedEmailError(TicketdeskError):
    status, title = 422, "Malformed email"


class EmailTooLargeError(TicketdeskError):
    status, title = 413, "Email too large"


def _subject_tag(workspace: Workspace) -> re.Pattern[str]:
    return re.compile(rf"\[{re.escape(workspace.ticket_prefix)}-(\d{{1,9}})\]", re.IGNORECASE)


async def _follow_merges(session: AsyncSession, ticket: Ticket | None) -> Ticket | None:
    hops = 0
    while ticket is not None and ticket.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        ticket = await repository.by_id(session, Ticket, ticket.merged_into_id)
        hops += 1
    return ticket


async def find_thread(
    session: AsyncSession, workspace: Workspace, parsed: ParsedEmail, sender: Contact
) -> Ticket | None:
    """The ticket this mail answers, or None when it starts a new conversation.

    A Message-ID we sent is proof the sender got our mail; a `[TKT-42]` tag alone is
    guessable (keys are sequential), so it threads only mail from the ticket's requester.
    """
    ticket_id: uuid.UUID | None = None
    ids = parsed.thread_ids
    if ids:
        by_id = await repository.tickets_by_message_id(session, workspace.id, ids)
        ticket_id = next((by_id[m] for m in ids if m in by_id), None)
    if ticket_id is None:
        match = _subject_tag(workspace).search(parsed.subject)
        if match:
            ticket_id = await repository.requester_ticket_id(
                session, workspace.id, int(match.group(1)), sender.id
            )
    if ticket_id is None:
        return None
    ticket = await repository.lock_ticket(session, workspace.id, ticket_id)
    return await _follow_merges(session, ticket)


def _result(
    status: InboundStatus,
    *,
    ticket: Ticket | None = None,
    workspace: Workspace,
    comment_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> InboundResult:
    return InboundResult(
        status=status,
        ticket=tickets.ticket_key(workspace, ticket) if ticket is not None else None,
        ticket_id=ticket.id if ticket is not None else None,
        comment_id=comment_id,
        reason=reason,
    )


def _log_row(
    workspace: Workspace,
    parsed: ParsedEmail,
    *,
    status: str,
    ticket: Ticket | None,
    comment_id: uuid.UUID | None = None,
) -> EmailMessage:
    return EmailMessage(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket.id if ticket is not None else None,
        comment_id=comment_id,
        direction="in",
        message_id=parsed.message_id or f"missing-{uuid.uuid4().hex}@ticketdesk.invalid",
        from_address=parsed.from_email[:320],
        to_address="",
        subject=parsed.subject[:1000],
        text_body="",
        headers={},
        status=status,
        attempts=0,
        created_at=utcnow(),
    )


async def receive_email(
    session: AsyncSession, settings: Settings, workspace: Workspace, raw: bytes
) -> InboundResult:
    """A new ticket, a reply on its ticket, a repeat of a message already seen, or ignored.

    The mail is read in the email room's thread pool (linear, capped work, but megabytes of
    it): the event loop keeps serving other requests meanwhile. Over a cap → 413, nothing
    written."""
    try:
        parsed, new_text = await run_off_loop(parse_reply, raw)
    except MalformedEmail as exc:
        raise MalformedEmailError(str(exc), errors=[{"loc": ["body"], "msg": str(exc)}]) from exc
    except EmailTooLarge as exc:
        raise EmailTooLargeError(str(exc), errors=[{"loc": ["body"], "msg": str(exc)}]) from exc
    if parsed.message_id:
        seen = await repository.find_message(session, workspace.id, parsed.message_id)
        if seen is not None:  # the provider re-delivered it: answer as before, change nothing
            ticket = (
                await repository.by_id(session, Ticket, seen.ticket_id) if seen.ticket_id else None
            )
            return _result("duplicate", ticket=ticket, workspace=workspace)
    try:
        sender_email = normalize_email(parsed.from_email)
    except ValueError as exc:
        raise ValidationFailed(
            f"The sender address {parsed.from_email[:100]!r} is not a valid email address.",
            loc=("body", "from"),
        ) from exc
    _, own_address = channel.sender(
        settings, workspace, await channel.channel_settings(session, workspace.id)
    )
    reason = parsed.auto_reason
    if reason is None and sender_email == own_address.lower():
        reason = "sent from the desk's own address (a loop)"
    if reason is not None:
        session.add(_log_row(workspace, parsed, status="ignored", ticket=None))
        await session.flush()
        return _result("ignored", workspace=workspace, reason=reason)

    contact = await tickets.upsert_contact(session, workspace.id, sender_email, parsed.from_name)
    actor = events.Actor("contact", contact.id, contact.name or contact.email)
    ticket = await find_thread(session, workspace, parsed, contact)
    if ticket is not None and ticket.status_category != "closed":
        return await _append_reply(session, settings, workspace, ticket, parsed, new_text, actor)
    follow_up = ticket
    return await _open_ticket(
        session, settings, workspace, parsed, new_text, contact, actor, follow_up
    )


async def _add_attachments(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    ticket: Ticket,
    actor: events.Actor,
    files: Sequence[ParsedAttachment],
    comment_id: uuid.UUID | None = None,
) -> None:
    """The email's files, on the ticket (and on the comment its text became, if any)."""
    for attachment in files:
        await add_attachment(
            session,
            settings,
            workspace,
            ticket,
            filename=attachment.filename,
            content_type=attachment.content_type,
            data=attachment.data,
            actor=actor,
            comment_id=comment_id,
        )


async def _append_reply(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    ticket: Ticket,
    parsed: ParsedEmail,
    new_text: str,
    actor: events.Actor,
) -> InboundResult:
    body = new_text[:MAX_COMMENT] or "(empty message)"
    if not body.strip():
        body = "(empty message)"
    comment = await comments.add_comment(
        session, workspace, ticket, body=body, visibility="public", actor=actor
    )
    files = parsed.attachments
    await _add_attachments(session, settings, workspace, ticket, actor, files, comment.id)
    if ticket.status_category in ("pending", "solved"):
        reopen = await tickets.resolve_status(session, workspace.id, None)
        await tickets.update_ticket(
            session, workspace, ticket, TicketUpdate(status=reopen.name), actor=actor
        )
    session.add(
        _log_row(workspace, parsed, status="received", ticket=ticket, comment_id=comment.id)
    )
    await session.flush()
    return _result("appended", ticket=ticket, workspace=workspace, comment_id=comment.id)


async def _open_ticket(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    parsed: ParsedEmail,
    new_text: str,
    contact: Contact,
    actor: events.Actor,
    follow_up: Ticket | None,
) -> InboundResult:
    description = parsed.text
    if follow_up is not None:
        key = tickets.ticket_key(workspace, follow_up)
        description = f"Follow-up to {key} (closed).\n\n{new_text}"
    try:
        data = TicketCreate(
            subject=parsed.subject or "(no subject)",
            description=description[:100_000],
            requester=RequesterIn(email=contact.email, name=contact.name),
        )
    except ValidationError as exc:
        raise ValidationFailed(
            f"The email cannot become a ticket: {exc.errors()[0]['msg']}", loc=("body",)
        ) from exc
    ticket = await tickets.create_ticket(session, workspace, data, actor=actor, channel="email")
    await _add_attachments(session, settings, workspace, ticket, actor, parsed.attachments)
    session.add(_log_row(workspace, parsed, status="received", ticket=ticket))
    await session.flush()
    return _result("created", ticket=ticket, workspace=workspace)
