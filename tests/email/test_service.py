"""The email rules, called as services on a real session: who gets mailed about a status
change, how a reply finds its ticket, which channel settings are accepted."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support import Tenant
from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.email import inbound, service
from ticketdesk.email import settings as channel
from ticketdesk.email.schemas import EmailSettingsUpdate
from ticketdesk.errors import ValidationFailed
from ticketdesk.events import Actor
from ticketdesk.models import EmailMessage as EmailRow
from ticketdesk.models import Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate, TicketUpdate

AGENT = Actor("user", None, "Bob Agent")


async def workspace_of(session: AsyncSession, tenant: Tenant) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


def admin_of(tenant: Tenant) -> Principal:
    admin = tenant.users["admin"]
    return Principal(
        workspace_id=uuid.UUID(tenant.workspace_id),
        kind="user",
        id=uuid.UUID(admin["id"]),
        name=admin["name"],
        role="admin",
    )


def mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


async def sent_about(db: Database, ticket_id: uuid.UUID) -> list[tuple[str | None, str]]:
    """(kind, subject) of every email the desk queued about the ticket, oldest first."""
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(EmailRow.kind, EmailRow.subject)
            .where(EmailRow.ticket_id == ticket_id, EmailRow.direction == "out")
            .order_by(EmailRow.created_at, EmailRow.id)
        )
        return [(kind, subject) for kind, subject in rows]


async def test_a_status_change_by_the_customer_mails_them_nothing_but_an_agents_does(
    tenant: Tenant, db: Database
) -> None:
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        await channel.update_channel_settings(session, workspace.id, {"notify_status_opt_out": []})
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await tickets.create_ticket(
            session,
            workspace,
            TicketCreate(subject="Router blinks", requester=RequesterIn(email="cu@home.example")),
            actor=AGENT,
            channel="api",
        )
        ticket_id, requester_id, key = ticket.id, ticket.requester_id, f"TKT-{ticket.number}"
    customer = Actor("contact", requester_id, "cu@home.example")

    for status, actor in (("waiting", customer), ("open", AGENT)):
        async with db.unit_of_work() as session:
            workspace = await workspace_of(session, tenant)
            found = await session.get(Ticket, ticket_id)
            assert found is not None
            await tickets.update_ticket(
                session, workspace, found, TicketUpdate(status=status), actor=actor
            )

    assert await sent_about(db, ticket_id) == [
        ("ticket_opened", f"[{key}] Router blinks"),
        ("status_changed", f"[{key}] Router blinks is now Open"),
    ]


async def test_a_reply_threads_into_its_ticket_by_message_id_alone(
    tenant: Tenant, other_tenant: Tenant, db: Database, settings: Settings
) -> None:
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        first = await inbound.receive_email(
            session, settings, workspace, mail("ada@lab.example", "Cannot log in", "Help.")
        )
    assert first.status == "created"
    assert first.ticket_id is not None
    async with db.unit_of_work() as session:
        receipt_id = await session.scalar(
            select(EmailRow.message_id).where(
                EmailRow.ticket_id == first.ticket_id, EmailRow.direction == "out"
            )
        )
    assert receipt_id is not None

    # another address, no [TKT-n] tag: only the Message-ID of our receipt ties it to the ticket
    answer = mail(
        "ada.home@mail.example", "Also this", "And 2FA is off.", In_Reply_To=f"<{receipt_id}>"
    )
    unrelated = mail("ada.home@mail.example", "Also this", "And 2FA is off.")
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        threaded = await inbound.receive_email(session, settings, workspace, answer)
        fresh = await inbound.receive_email(session, settings, workspace, unrelated)
    assert (threaded.status, threaded.ticket_id, threaded.ticket) == (
        "appended",
        first.ticket_id,
        first.ticket,
    )
    assert threaded.comment_id is not None
    assert fresh.status == "created"
    assert fresh.ticket_id != first.ticket_id

    # the same Message-ID sent to another workspace's desk threads nothing there
    elsewhere = mail("ada.home@mail.example", "Also this", "...", In_Reply_To=f"<{receipt_id}>")
    async with db.unit_of_work() as session:
        other = await workspace_of(session, other_tenant)
        foreign = await inbound.receive_email(session, settings, other, elsewhere)
    assert foreign.status == "created"
    assert foreign.ticket_id != first.ticket_id


async def test_notify_statuses_must_exist_and_are_stored_sorted_once(
    tenant: Tenant, db: Database, settings: Settings
) -> None:
    principal = admin_of(tenant)
    async with db.unit_of_work() as session:
        with pytest.raises(ValidationFailed, match="Unknown statuses"):
            await service.update_email_settings(
                session,
                settings,
                principal,
                EmailSettingsUpdate(notify_statuses=["waiting", "on_the_moon"]),
            )
        with pytest.raises(ValidationFailed, match="`signature` cannot be null"):
            await service.update_email_settings(
                session, settings, principal, EmailSettingsUpdate(signature=None)
            )
        saved = await service.update_email_settings(
            session,
            settings,
            principal,
            EmailSettingsUpdate(notify_statuses=["waiting", "open", "waiting"], brand_name=None),
        )
    assert saved.notify_statuses == ["open", "waiting"]
    assert saved.brand_name is None
    async with db.unit_of_work() as session:
        again = await service.email_settings(session, settings, principal)
    assert again == saved
    assert again.from_address.startswith(f"{tenant.slug}@")
