"""Email test harness: a real SMTP server (aiosmtpd) in the test process, an app that sends
through it, and builders of the mail customers send."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_tenant
from tests.support import Tenant
from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database

FIXTURES = Path(__file__).parent / "fixtures"


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


def start_relay(handler: Any, **options: Any) -> tuple[Controller, int]:
    """A running aiosmtpd relay on a free port, given a minute to come up (5 s by default,
    too little on a loaded machine). The port is picked before the relay binds it (aiosmtpd
    needs it up front), so another process may take it first: then another port is tried."""
    for attempt in range(5):
        port = _free_port()
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, ready_timeout=60, **options
        )
        try:
            controller.start()
        except OSError:  # EADDRINUSE: taken in between
            controller.stop(no_assert=True)
            if attempt == 4:
                raise
            continue
        return controller, port
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller, port = start_relay(box)
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


def customer_mail(
    sender: str, subject: str, body: str, *, message_id: str | None = None, **headers: str
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def reply_to(received: EmailMessage, sender: str, body: str) -> bytes:
    """What a mail client sends when the customer hits Reply on our notification."""
    quoted = "\n".join(
        f"> {line}" for line in received.get_body(("plain",)).get_content().splitlines()
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = received["Reply-To"] or received["From"]
    message["Subject"] = f"Re: {received['Subject']}"
    message["Message-ID"] = make_msgid(domain="customer.example")
    message["In-Reply-To"] = received["Message-ID"]
    message["References"] = " ".join(
        filter(None, [received.get("References"), received["Message-ID"]])
    )
    message.set_content(f"{body}\n\nOn Mon, 23 Nov 2026 at 10:00, Support wrote:\n{quoted}\n")
    return bytes(message)


async def post_mail(client: Any, headers: dict[str, str], raw: bytes) -> Any:
    return await client.post("/inbound/email", content=raw, headers=headers)
