"""The attachment rules, called directly: the size limit, what a stored file is called, where
a file may hang, and whose files a download may reach."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.attachments.conftest import LIMIT
from ticketdesk.attachments import service as attachments
from ticketdesk.attachments.storage import LocalStorage
from ticketdesk.auth.principal import Principal
from ticketdesk.comments import service as comments
from ticketdesk.errors import NotFound, PayloadTooLarge, TransitionNotAllowed, ValidationFailed
from ticketdesk.events import Actor
from ticketdesk.models import Attachment, Event, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate


@dataclass
class FakeUpload:
    """What the HTTP layer hands over; records whether the bytes were read at all."""

    data: bytes
    filename: str | None = "notes.txt"
    content_type: str | None = "text/plain"
    declared: bool = True
    reads: list[int] = field(default_factory=list)

    @property
    def size(self) -> int | None:
        return len(self.data) if self.declared else None

    async def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return self.data if size < 0 else self.data[:size]


@pytest.fixture
def small_settings(settings, upload_dir):
    return settings.model_copy(update={"attachment_max_bytes": LIMIT, "data_dir": upload_dir})


async def workspace_of(session, tenant) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


def agent_of(tenant) -> Principal:
    user = tenant.users["agent"]
    return Principal(
        workspace_id=uuid.UUID(tenant.workspace_id),
        kind="user",
        id=uuid.UUID(user["id"]),
        name=user["name"],
        role="agent",
    )


async def open_ticket(session, workspace, actor: Actor, subject: str = "Files") -> Ticket:
    data = TicketCreate(subject=subject)
    return await tickets.create_ticket(session, workspace, data, actor=actor, channel="api")


async def stored_rows(session, ticket_id) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket_id)
    )
    return int(count or 0)


def in_storage(settings, data: bytes) -> bool:
    storage = LocalStorage(settings.data_dir / "attachments")
    return storage.path(hashlib.sha256(data).hexdigest()).exists()


async def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(db, tenant, small_settings):
    agent = agent_of(tenant)
    too_big = b"\x01" * (LIMIT + 1)
    undeclared = b"\x02" * (LIMIT + 5)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, agent.actor())
        key = tickets.ticket_key(workspace, ticket)
        declared = FakeUpload(too_big)
        with pytest.raises(PayloadTooLarge):
            await attachments.upload(session, small_settings, agent, key, declared)
        assert declared.reads == []  # refused by its declared size, before reading a byte
        streamed = FakeUpload(undeclared, declared=False)
        with pytest.raises(PayloadTooLarge):
            await attachments.upload(session, small_settings, agent, key, streamed)
        assert streamed.reads == [LIMIT + 1]  # never more than one byte past the limit
        with pytest.raises(PayloadTooLarge):
            await attachments.add_attachment(
                session,
                small_settings,
                workspace,
                ticket,
                filename="big.bin",
                content_type=None,
                data=too_big,
                actor=agent.actor(),
            )
        assert await stored_rows(session, ticket.id) == 0
        added = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.ticket_id == ticket.id, Event.type == "ticket.attachment_added")
        )
        assert added == 0
    assert not in_storage(small_settings, too_big)
    assert not in_storage(small_settings, undeclared)


async def test_a_file_at_the_limit_is_stored_once_under_a_safe_name(db, tenant, small_settings):
    agent = agent_of(tenant)
    data = b"\x03" * LIMIT
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, agent.actor())
        version = ticket.version
        read = await attachments.upload(
            session,
            small_settings,
            agent,
            str(ticket.id),
            FakeUpload(data, filename='..\\..\\etc/"passwd".txt', content_type="Text/Plain; x=y"),
        )
        assert (read.filename, read.content_type, read.size) == (
            "_passwd_.txt",
            "text/plain",
            LIMIT,
        )
        assert read.sha256 == hashlib.sha256(data).hexdigest()
        assert ticket.version == version + 1  # an upload touches the ticket
        with pytest.raises(ValidationFailed):
            await attachments.upload(
                session,
                small_settings,
                agent,
                str(ticket.id),
                FakeUpload(b"odd", content_type="not a type"),
            )
        assert await stored_rows(session, ticket.id) == 1
    assert in_storage(small_settings, data)
    assert attachments.safe_filename("  ..  ") == "attachment"
    assert attachments.safe_filename("a/b\\c<d>.txt") == "c_d_.txt"


async def test_files_hang_only_on_live_tickets_and_their_own_comments(db, tenant, small_settings):
    agent = agent_of(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, agent.actor())
        other = await open_ticket(session, workspace, agent.actor(), "Other")
        comment = await comments.add_comment(
            session, workspace, other, body="see file", visibility="public", actor=agent.actor()
        )
        with pytest.raises(NotFound):
            await attachments.upload(
                session,
                small_settings,
                agent,
                str(ticket.id),
                FakeUpload(b"x"),
                comment_id=comment.id,
            )
        on_comment = await attachments.upload(
            session, small_settings, agent, str(other.id), FakeUpload(b"y"), comment_id=comment.id
        )
        assert on_comment.comment_id == comment.id
        by_comment = await attachments.attachments_by_comment(session, workspace.id, [comment.id])
        assert [a.id for a in by_comment[comment.id]] == [on_comment.id]

        other.merged_into_id = ticket.id
        with pytest.raises(TransitionNotAllowed):
            await attachments.upload(
                session, small_settings, agent, str(other.id), FakeUpload(b"z")
            )
        direct = await attachments.upload(
            session, small_settings, agent, str(ticket.id), FakeUpload(b"w")
        )
        family = await attachments.ticket_attachments(session, ticket)
        assert [a.id for a in family] == [on_comment.id, direct.id]
        assert await attachments.ticket_attachments(session, other) == [family[0]]


async def test_a_download_never_reaches_another_workspace(db, tenant, other_tenant, settings):
    agent = agent_of(tenant)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, agent.actor())
        read = await attachments.upload(
            session, settings, agent, str(ticket.id), FakeUpload(b"mine")
        )
    stranger = Principal(
        workspace_id=uuid.UUID(other_tenant.workspace_id),
        kind="user",
        id=uuid.UUID(other_tenant.users["agent"]["id"]),
        name="Olga Other",
        role="agent",
    )
    async with db.unit_of_work() as session:
        with pytest.raises(NotFound):
            await attachments.download(session, settings, stranger, read.id)
        with pytest.raises(NotFound):
            await attachments.upload(session, settings, stranger, str(ticket.id), FakeUpload(b"x"))
        mine = await attachments.download(session, settings, agent, read.id)
        assert (mine.filename, mine.content_type, mine.size) == ("notes.txt", "text/plain", 4)
        assert b"".join([chunk async for chunk in mine.chunks]) == b"mine"
