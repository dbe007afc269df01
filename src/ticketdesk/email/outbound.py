"""Outbound notifications: decided and rendered in the transaction that caused them, sent by a
job after commit. Each email row records its Message-ID, so replies thread back to the ticket
and a re-run job never sends twice."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from email.errors import MessageError
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.comments import service as comments
from ticketdesk.config import Settings, get_settings
from ticketdesk.config_cache import config_cached
from ticketdesk.context import context as session_context
from ticketdesk.db import new_id, utcnow
from ticketdesk.email import repository, templates
from ticketdesk.email import settings as channel
from ticketdesk.email.offload import run_off_loop
from ticketdesk.email.parsing import REPLY_MARKER
from ticketdesk.email.templates import TemplateSource
from ticketdesk.jobs import JOBS, JobContext, Retry, enqueue_after_commit
from ticketdesk.models import (
    ChannelSettings,
    Contact,
    EmailMessage,
    EmailTemplate,
    Ticket,
    Workspace,
)
from ticketdesk.schemas import normalize_email
from ticketdesk.tickets import service as tickets

log = logging.getLogger(__name__)

SEND_JOB = "email.send_ticket_notification"
TEMPLATE_JOB = "email.send_template"
NO_SMTP = "no SMTP server configured"
CLAIM_TIMEOUT = timedelta(minutes=5)
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500
# tickets created with an older created_at are imports of history: never email about those
IMPORT_AGE = timedelta(minutes=10)
THREAD_DEPTH = 10
# RFC 3834: automatic mail says so, so well-behaved auto-responders do not answer it
AUTO_SUBMITTED = {
    "ticket_opened": "auto-replied",
    "status_changed": "auto-generated",
    "ticket_resolved": "auto-generated",
    "team_new_ticket": "auto-generated",  # never answered by the desk's own inbound
    "csat_survey": "auto-generated",
}


async def load_template(
    session: AsyncSession, workspace_id: uuid.UUID, kind: str
) -> TemplateSource:
    async def load() -> EmailTemplate | None:
        return await repository.stored_template(session, workspace_id, kind)

    stored = await config_cached(session, workspace_id, ("email_template", kind), load)
    if stored is None:
        return templates.DEFAULTS[kind]
    return TemplateSource(stored.subject, stored.text_body, stored.html_body)


async def _status_labels(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, str]:
    return {s.name: s.label for s in await tickets.workspace_statuses(session, workspace_id)}


async def _thread(session: AsyncSession, row: EmailMessage) -> list[str]:
    """The ticket's other Message-IDs (received, or sent before this one), oldest first:
    the first one and the latest few, for In-Reply-To and References."""
    rows = await repository.thread_message_ids(session, row)
    if len(rows) <= THREAD_DEPTH:
        return list(rows)
    return [rows[0], *rows[-(THREAD_DEPTH - 1) :]]


TEAM_KIND = repository.TEAM_KIND
# kinds that carry a link made for that one email (the csat room sends the survey itself)
LINKED_KINDS = ("csat_survey",)
DESCRIPTION_IN_CONTEXT = 10_000  # characters of the description a template can show


def _context(
    settings: Settings,
    workspace: Workspace,
    ticket: Ticket,
    key: str,
    requester: Contact | None,
    recipient: tuple[str | None, str],
    brand: tuple[str, ChannelSettings],
    labels: dict[str, str],
    comment: dict[str, Any] | None,
    change: dict[str, Any] | None,
    kind: str,
    survey: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The variables of templates.sample_context(), filled from the ticket."""
    if kind == TEAM_KIND:  # the team reads about the customer, not about itself
        person = {"name": requester.name if requester else None,
                  "email": requester.email if requester else None}  # fmt: skip
    else:
        person = {"name": recipient[0], "email": recipient[1]}
    name, prefs = brand
    change = change or {}
    return {
        "ticket": {
            "key": key,
            "number": ticket.number,
            "subject": ticket.subject,
            "description": (ticket.description or "")[:DESCRIPTION_IN_CONTEXT],
            "status": ticket.status,
            "status_label": labels.get(ticket.status, ticket.status),
            "priority": ticket.priority,
            "channel": ticket.channel,
            "url": f"{settings.public_url.rstrip('/')}/tickets/{key}",
        },
        "requester": person,
        "brand": {"name": name, "color": prefs.brand_color, "signature": prefs.signature},
        "workspace": {"name": workspace.name},
        "comment": comment or {"body": "", "author": ""},
        "change": {
            "from": change.get("from"),
            "to": change.get("to"),
            "from_label": labels.get(change.get("from") or "", ""),
            "to_label": labels.get(change.get("to") or "", ""),
        },
        "reply_marker": REPLY_MARKER,
        "survey": survey or {"url": "", "good_url": "", "bad_url": ""},
    }


async def queue_notification(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    ticket: Ticket,
    kind: str,
    *,
    event_key: str,
    comment: dict[str, Any] | None = None,
    change: dict[str, Any] | None = None,
    prefs: ChannelSettings | None = None,
    to_address: str | None = None,
    survey: dict[str, str] | None = None,
) -> EmailMessage | None:
    """Render `kind` for the ticket's requester (or `to_address`) and queue it; None when there
    is nobody to tell. A workspace template that fails on this ticket's data (or exceeds the
    render limits) is logged as a `failed` email with the reason, and nothing is sent."""
    requester = (
        await repository.by_id(session, Contact, ticket.requester_id)
        if ticket.requester_id
        else None
    )
    if requester is None and to_address is None:
        return None
    if to_address is not None:
        name_to = None if kind == TEAM_KIND else (requester.name if requester else None)
        email_to = to_address
    else:
        assert requester is not None
        name_to, email_to = requester.name, requester.email
    prefs = prefs or await channel.channel_settings(session, workspace.id)
    name, address = channel.sender(settings, workspace, prefs)
    labels = await _status_labels(session, workspace.id)
    key = tickets.ticket_key(workspace, ticket)
    context = _context(
        settings, workspace, ticket, key, requester, (name_to, email_to), (name, prefs),
        labels, comment, change, kind, survey,
    )  # fmt: skip
    source = await load_template(session, workspace.id, kind)
    failure: str | None = None
    try:
        if source is templates.DEFAULTS.get(kind):  # ours: known to be cheap, no thread hop
            rendered = templates.render(source, context)
        else:  # the workspace's: bounded by the render limits, but kept off the event loop
            rendered = await run_off_loop(templates.render, source, context)
    except templates.TemplateBroken as exc:
        # saved templates rendered with sample data; this ticket's data trips this one up
        log.warning("workspace %s template %s failed: %s", workspace.id, kind, exc.message)
        failure = f"The {kind} template failed, nothing was sent: {exc.message}"
        rendered = templates.Rendered(subject=f"[{key}] {ticket.subject}", text="", html="")
    subject = rendered.subject
    if f"[{key}]".lower() not in subject.lower():
        subject = f"[{key}] {subject}"
    headers: dict[str, Any] = {"X-Ticketdesk-Ticket": key}
    if kind in AUTO_SUBMITTED:
        headers["Auto-Submitted"] = AUTO_SUBMITTED[kind]
    if kind == TEAM_KIND:
        headers["Reply-To"] = email_to  # the team discusses among itself, not with the desk
    domain = address.rpartition("@")[2] or channel.mail_domain(settings)
    row = EmailMessage(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        comment_id=(comment or {}).get("id"),
        direction="out",
        message_id=f"{uuid.uuid4().hex}@{domain}",
        event_key=event_key,
        kind=kind,
        from_address=mailbox(name, address),
        to_address=mailbox(name_to or "", email_to),
        subject=subject[:1000],
        text_body=rendered.text,
        html_body=rendered.html,
        headers=headers,
        status="pending",
        attempts=0,
        created_at=utcnow(),
    )
    session.add(row)
    if failure is not None:
        row.status, row.last_error = "failed", failure[:1000]
        return row
    runner = getattr(session_context(session).db, "job_runner", None)
    if not settings.smtp_url and getattr(runner, "runs_here", False):
        # the process that would send it has no relay: logged as skipped now, no job to run
        row.status, row.last_error = "skipped", NO_SMTP
        log.info("no TICKETDESK_SMTP_URL: email %s (%s) not sent", row.id, kind)
        return row
    await session.flush()
    enqueue_after_commit(session, SEND_JOB, job_id=f"email:{row.id}", email_id=str(row.id))
    return row


def _app_settings(session: AsyncSession) -> Settings:
    """The serving app's settings; outside a request (worker, CLI) those of the environment."""
    settings = session_context(session).settings
    return settings if settings is not None else get_settings()


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Ticket opened (to the requester, and to the team's address), solved, or moved to a
    status that is not opted out → email."""
    settings = _app_settings(session)
    ticket, workspace = change.ticket, change.workspace
    status = change.changes.get("status")
    if change.created:
        if ticket.created_at < utcnow() - IMPORT_AGE:
            return  # history being imported: nobody is told about old tickets
        prefs = await channel.channel_settings(session, workspace.id)
        if prefs.notify_ticket_opened and ticket.requester_id is not None:
            await queue_notification(
                session, settings, workspace, ticket, "ticket_opened",
                event_key="ticket_opened", prefs=prefs,
            )  # fmt: skip
        if prefs.notify_team_new_ticket and prefs.team_address:
            await queue_notification(
                session, settings, workspace, ticket, TEAM_KIND,
                event_key=TEAM_KIND, prefs=prefs, to_address=prefs.team_address,
            )  # fmt: skip
        return
    if ticket.requester_id is None or not status:
        return
    if change.actor.kind == "contact":
        return  # the requester's own reply reopening a ticket needs no email about it
    prefs = await channel.channel_settings(session, workspace.id)
    kind = None
    if status.get("to_category") == "solved":
        kind = "ticket_resolved" if prefs.notify_resolved else None
    elif prefs.notify_status_changed and status.get("to") not in (
        prefs.notify_status_opt_out or ()
    ):
        kind = "status_changed"
    if kind is not None:
        await queue_notification(
            session, settings, workspace, ticket, kind,
            event_key=f"status:{uuid.uuid4().hex}", change=status, prefs=prefs,
        )  # fmt: skip


async def on_comment_added(session: AsyncSession, added: comments.CommentAdded) -> None:
    """An agent's public reply is emailed to the requester; internal notes never are."""
    settings = _app_settings(session)
    if added.comment.visibility != "public":
        return
    if not added.actor.is_agent:
        return
    prefs = await channel.channel_settings(session, added.workspace.id)
    if not prefs.notify_agent_reply:
        return
    await queue_notification(
        session,
        settings,
        added.workspace,
        added.ticket,
        "agent_reply",
        event_key=f"agent_reply:{added.comment.id}",
        comment={
            "id": added.comment.id,
            "body": added.comment.body,
            "author": added.actor.name or "Support",
        },
        prefs=prefs,
    )


def mailbox(name: str, address: str) -> str:
    """`Name <address>` for a header. An address with non-ASCII characters in its local part
    (RFC 6531, sent with SMTPUTF8) cannot take the ASCII form: it keeps its own characters."""
    try:
        return formataddr((name, address))
    except UnicodeEncodeError:
        if not name:
            return address
        display = formataddr((name, "a@b")).rpartition(" <")[0]  # quoted, RFC 2047 if need be
        return f"{display} <{address}>"


def build_mime(row: EmailMessage) -> MimeMessage:
    message = MimeMessage()
    message["From"] = row.from_address
    message["To"] = row.to_address
    headers = dict(row.headers or {})
    message["Reply-To"] = headers.pop("Reply-To", row.from_address)
    message["Subject"] = row.subject
    message["Message-ID"] = f"<{row.message_id}>"
    message["Date"] = format_datetime(row.created_at)
    for name, value in headers.items():
        message[name] = value
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


async def smtp_send(smtp_url: str, message: MimeMessage) -> None:
    """Deliver through the configured relay: `smtp://user:pass@host:587` (STARTTLS when the
    server offers it) or `smtps://…:465` (TLS from the first byte)."""
    url = urlsplit(smtp_url)
    implicit_tls = url.scheme == "smtps"
    await aiosmtplib.send(
        message,
        hostname=url.hostname or "localhost",
        port=url.port or (465 if implicit_tls else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=implicit_tls,
        start_tls=None if not implicit_tls else False,
        timeout=30,
    )


async def send_template(
    ctx: JobContext, workspace_id: str, ticket_id: str, template: str, to: str = "requester"
) -> None:
    """Email one template about a ticket (automations' `send_email`, auto-close notices).

    Keyed by this job's id, so a re-run finds the row it made and queues nothing twice.
    """
    if template not in templates.KINDS or template in LINKED_KINDS:
        log.warning("email template %r cannot be sent for ticket %s: not sent", template, ticket_id)
        return
    to_address = None
    if to != "requester":
        try:
            to_address = normalize_email(to)
        except ValueError:
            log.warning("template email %r: %r is not an address; not sent", template, to)
            return
    event_key = f"template:{ctx.job_id}"[:100]
    async with ctx.db.unit_of_work() as session:
        ticket = await repository.by_id(session, Ticket, uuid.UUID(ticket_id))
        if ticket is None or str(ticket.workspace_id) != workspace_id:
            return
        if await repository.already_queued(session, ticket.id, event_key):
            return
        workspace = await repository.by_id(session, Workspace, ticket.workspace_id)
        assert workspace is not None
        latest = await repository.latest_public_comment(session, ticket.id)
        comment = (
            {"id": latest.id, "body": latest.body, "author": latest.author_name or "Support"}
            if latest is not None
            else None
        )
        await queue_notification(
            session, ctx.settings, workspace, ticket, template,
            event_key=event_key, comment=comment, to_address=to_address,
        )  # fmt: skip


async def send_ticket_notification(ctx: JobContext, email_id: str) -> None:
    """Send one queued email; safe to run twice (a sent row is never sent again)."""
    now = utcnow()
    row_id = uuid.UUID(email_id)
    if not ctx.settings.smtp_url:  # nothing to thread or send: settle the row in one write
        async with ctx.db.unit_of_work() as session:
            skipped = await repository.skip_unsent(
                session, row_id, now=now, claim_timeout=CLAIM_TIMEOUT, error=NO_SMTP
            )
        if skipped:
            log.info("no TICKETDESK_SMTP_URL: email %s not sent", email_id)
        return
    async with ctx.db.unit_of_work() as session:
        if not await repository.claim_unsent(session, row_id, now=now, claim_timeout=CLAIM_TIMEOUT):
            return  # sent, skipped, failed, or another worker has it
        row = await repository.by_id(session, EmailMessage, row_id)
        assert row is not None
        # threading is settled at send time, when every message of the transaction is in;
        # the team's own mail stays out of the requester's thread (and they out of its)
        thread = [] if row.kind == TEAM_KIND else await _thread(session, row)
        headers = {
            k: v for k, v in (row.headers or {}).items() if k not in ("In-Reply-To", "References")
        }
        if thread:
            headers["In-Reply-To"] = f"<{thread[-1]}>"
            headers["References"] = " ".join(f"<{m}>" for m in thread)
        row.headers = headers
    try:
        await smtp_send(ctx.settings.smtp_url, build_mime(row))
    except (aiosmtplib.SMTPException, OSError, TimeoutError, MessageError, ValueError) as exc:
        last_try = ctx.attempt >= JOBS[SEND_JOB].max_tries
        await _finish(ctx, row.id, status="failed" if last_try else "pending", error=str(exc))
        if last_try:
            log.warning("email %s failed for good: %s", row.id, exc)
            return
        raise Retry(min(600.0, 5.0 * 2**ctx.attempt)) from exc
    await _finish(ctx, row.id, status="sent")


async def sweep_unsent(ctx: JobContext) -> None:
    """Queue again what was never handed to a runner (the process died right after commit)
    or was claimed by a worker that vanished: the email rows are the outbox."""
    now = utcnow()
    async with ctx.db.unit_of_work() as session:
        ids = await repository.unsent_email_ids(
            session,
            now=now,
            pending_after=SWEEP_AFTER,
            claim_timeout=CLAIM_TIMEOUT,
            limit=SWEEP_BATCH,
        )
    runner = ctx.db.job_runner
    if runner is None:
        return
    for email_id in ids:  # the job id dedupes rows already queued or waiting for a retry
        await runner.enqueue(SEND_JOB, {"email_id": str(email_id)}, job_id=f"email:{email_id}")


async def _finish(
    ctx: JobContext, email_id: uuid.UUID, *, status: str, error: str | None = None
) -> None:
    async with ctx.db.unit_of_work() as session:
        await repository.finish_email(
            session,
            email_id,
            status=status,
            error=error[:1000] if error else None,
            sent_at=utcnow() if status == "sent" else None,
        )
