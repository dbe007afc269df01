"""CSAT test harness: the email room's real SMTP relay and mail app, the public survey page's
client (outside /api/v1), and helpers to solve a ticket and find its survey link."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from tests.email import conftest as email_harness
from tests.email.conftest import Mailbox
from tests.support import Tenant
from tests.webhooks import conftest as webhook_harness

# the email tests' fixtures: a real SMTP relay, an app sending through it, a desk on that app
mailbox = email_harness.mailbox
mail_app = email_harness.mail_app
mail_client = email_harness.mail_client
desk = email_harness.desk
inbox = email_harness.inbox
# a real HTTP server receiving webhooks
receiver = webhook_harness.receiver

LINK = re.compile(r"https://desk\.example\.com/survey/([A-Za-z0-9_-]+)")


@pytest.fixture
async def pages(mail_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A browser's view of the mail app: the survey page lives outside the API prefix."""
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def enable(tenant: Tenant, **settings: Any) -> dict[str, Any]:
    response = await tenant.put("/settings/csat", json={"enabled": True, **settings})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def set_status(tenant: Tenant, key: str, status: str) -> dict[str, Any]:
    response = await tenant.patch(f"/tickets/{key}", json={"status": status})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def surveys(box: Mailbox, address: str) -> list[EmailMessage]:
    return [m for m in box.to(address) if "How did we do?" in m["Subject"]]


def token_of(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def activity(tenant: Tenant, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await tenant.get(f"/tickets/{key}/activity")).json()["items"]
    return items
