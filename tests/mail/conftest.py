"""A real SMTP server (aiosmtpd) in the test process, and an app that sends through it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_tenant
from tests.support import Tenant
from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database


@dataclass
class Mailbox:
    """Every message the SMTP server accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
async def mail_app(settings: Settings, mailbox: tuple[Mailbox, int]) -> AsyncIterator[Any]:
    """An app of its own (own Database, so its own job runner) with SMTP configured."""
    _, port = mailbox
    mail_settings = settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{port}", "public_url": "https://desk.example.com"}
    )
    database = Database(mail_settings.resolved_database_url)
    application = create_app(mail_settings, database=database)
    async with application.router.lifespan_context(application):
        yield application
    await database.dispose()


@pytest.fixture
async def mail_client(mail_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as c:
        yield c


@pytest.fixture
async def desk(db: Database, mail_client: httpx.AsyncClient) -> Tenant:
    t = await make_tenant(db, mail_client, name="Mailco")
    await t.add_user("agent", "Bob Agent")
    return t


@pytest.fixture
def inbox(mailbox: tuple[Mailbox, int]) -> Mailbox:
    return mailbox[0]


async def drain(app: Any) -> None:
    await app.state.db.job_runner.drain()
    await asyncio.sleep(0)


async def inbound_token(tenant: Tenant) -> dict[str, str]:
    response = await tenant.post(
        "/api-tokens", json={"name": "postmark", "scopes": ["email:inbound"]}
    )
    assert response.status_code == 201, response.text
    return {
        "Authorization": f"Bearer {response.json()['token']}",
        "Content-Type": "message/rfc822",
    }
