"""Webhook test harness: a real HTTP receiver, and helpers to subscribe and verify."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.webhooks.receiver import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


async def subscribe(tenant, receiver, events, **extra):
    response = await tenant.post("/webhooks", json={"url": receiver.url, "events": events, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def verify(secret, request):
    return Webhook(secret).verify(request.body, request.headers)


def signed_by(secret, request):
    try:
        verify(secret, request)
    except WebhookVerificationError:
        return False
    return True
