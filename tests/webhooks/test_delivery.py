"""Sending deliveries end to end in one process (the in-process runner, a real HTTP receiver):
signed, retried, kept in order per ticket, given up, disabled, redelivered."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support import eventually
from tests.webhooks.conftest import subscribe, verify
from tests.webhooks.receiver import Receiver
from ticketdesk.db import utcnow
from ticketdesk.models import Notification, WebhookDelivery, WebhookSubscription


async def test_deliveries_are_signed_filtered_and_carry_the_ticket(tenant, receiver, db):
    hook = await subscribe(tenant, receiver, ["ticket.created", "ticket.status_changed"])
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in (await tenant.get(f"/webhooks/{hook['id']}")).json()

    ticket = await tenant.create_ticket(subject="Refund")
    await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": "high"})
    await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "in_progress"})
    await db.job_runner.drain()

    requests = await receiver.wait_for(2)
    assert [r.json["type"] for r in requests] == ["ticket.created", "ticket.status_changed"]
    for request in requests:
        verify(hook["secret"], request)
        assert request.headers["webhook-id"].startswith("msg_")
        assert request.headers["content-type"] == "application/json"
    changed = requests[1].json
    assert changed["data"]["ticket"]["key"] == ticket["key"]
    assert changed["data"]["ticket"]["priority"] == "high"
    assert changed["data"]["changes"] == {"status": {"from": "open", "to": "in_progress"}}
    assert changed["timestamp"].endswith("Z")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(requests[0].body, requests[0].headers)

    log = (await tenant.get(f"/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert {d["status"] for d in log} == {"delivered"}
    assert {d["last_status_code"] for d in log} == {200}


async def test_a_500_is_retried_with_the_same_webhook_id_and_logged(tenant, receiver, db):
    receiver.script.append((500, {"Retry-After": "1"}, b"boom"))
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    await tenant.create_ticket()
    await db.job_runner.drain(timeout=15)

    first, second = await receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert second.at - first.at >= 0.9
    verify(hook["secret"], second)

    (delivery,) = (await tenant.get(f"/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 2
    assert delivery["message_id"] == first.headers["webhook-id"]
    detail = (await tenant.get(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}")).json()
    assert [(a["outcome"], a["status_code"]) for a in detail["attempt_log"]] == [
        ("retry", 500),
        ("delivered", 200),
    ]
    assert detail["attempt_log"][0]["response_body"] == "boom"
    assert detail["payload"]["type"] == "ticket.created"


async def test_later_events_of_a_ticket_wait_for_a_failing_earlier_one(tenant, receiver, db):
    receiver.script.append((503, {"Retry-After": "1"}, b""))
    await subscribe(tenant, receiver, ["*"])
    ticket = await tenant.create_ticket()
    for priority in ("high", "urgent", "low"):
        await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": priority})
    await db.job_runner.drain(timeout=15)

    requests = await receiver.wait_for(5)
    assert len(requests) == 5
    event_ids = [r.json["data"]["event"]["id"] for r in requests[1:]]
    assert event_ids == sorted(event_ids)
    assert requests[0].json["type"] == requests[1].json["type"] == "ticket.created"


async def test_redirects_are_not_followed_and_fail(tenant, receiver, db):
    receiver.script.append((302, {"Location": "http://169.254.169.254/"}, b""))
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    await tenant.create_ticket()
    await db.job_runner.drain()
    assert len(await receiver.wait_for(1)) == 1
    (delivery,) = (await tenant.get(f"/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert delivery["status"] == "failed"
    assert delivery["last_status_code"] == 302
    assert delivery["next_attempt_at"] is None


async def test_manual_redeliver_sends_the_same_message_again(tenant, receiver, db):
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    await tenant.create_ticket()
    await db.job_runner.drain()
    (delivery,) = (await tenant.get(f"/webhooks/{hook['id']}/deliveries")).json()["items"]
    response = await tenant.post(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 202
    await db.job_runner.drain()
    first, second = await receiver.wait_for(2)
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


async def test_410_gone_disables_the_webhook_and_tells_the_admins(tenant, receiver, db):
    receiver.default = (410, {}, b"gone")
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    await tenant.create_ticket()
    await db.job_runner.drain()

    got = (await tenant.get(f"/webhooks/{hook['id']}")).json()
    assert got["active"] is False
    assert "410" in got["disabled_reason"]
    async with db.unit_of_work() as session:
        kinds = list(
            await session.scalars(
                select(Notification.kind).where(
                    Notification.user_id == uuid.UUID(tenant.users["admin"]["id"])
                )
            )
        )
    assert "webhook.disabled" in kinds
    await tenant.create_ticket()  # a disabled webhook gets nothing
    await db.job_runner.drain()
    assert len(receiver.requests) == 1


async def test_failing_for_five_days_disables_the_webhook(tenant, receiver, db):
    receiver.default = (500, {}, b"")
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    async with db.unit_of_work() as session:
        sub = await session.get(WebhookSubscription, uuid.UUID(hook["id"]))
        assert sub is not None
        sub.failing_since = utcnow() - timedelta(days=5, minutes=1)
    await tenant.create_ticket()
    await db.job_runner.drain(timeout=3)
    await receiver.wait_for(1)

    async def disabled() -> dict | None:  # the job disables it after the request has come
        got = (await tenant.get(f"/webhooks/{hook['id']}")).json()
        return got if got["active"] is False else None

    got = await eventually(disabled, "the webhook to be disabled")
    assert "5 days" in got["disabled_reason"]
    # re-enabling clears the failure state
    again = await tenant.patch(f"/webhooks/{hook['id']}", json={"active": True})
    assert again.json()["active"] is True
    assert again.json()["failing_since"] is None


async def test_a_rotated_secret_still_signs_with_the_old_one_for_a_day(tenant, receiver, db):
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    rotated = await tenant.post(f"/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != hook["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    await tenant.create_ticket()
    await db.job_runner.drain()
    (request,) = await receiver.wait_for(1)
    verify(new_secret, request)
    verify(hook["secret"], request)


async def test_deleting_a_webhook_mid_delivery_drops_it_and_keeps_the_others(tenant, db, caplog):
    """One job sends to two webhooks; one is deleted while its receiver still holds the
    request. Its delivery goes with it, quietly; the other's success is kept, sent once."""
    held = await Receiver(hold=asyncio.Event()).start()
    fine = await Receiver().start()
    try:
        doomed = await subscribe(tenant, held, ["ticket.created"])
        kept = await subscribe(tenant, fine, ["ticket.created"])
        caplog.set_level(logging.WARNING)
        await tenant.create_ticket(subject="Two receivers")
        await held.wait_for(1)  # in flight: the receiver has it and has not answered
        await fine.wait_for(1)
        assert len(held.requests) == 1
        assert (await tenant.delete(f"/webhooks/{doomed['id']}")).status_code == 204
        held.hold.set()  # the deleted webhook's receiver answers 200 after all
        await db.job_runner.drain(timeout=60)

        (delivery,) = (await tenant.get(f"/webhooks/{kept['id']}/deliveries")).json()["items"]
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 1)
        assert delivery["last_status_code"] == 200
        assert len(fine.requests) == 1  # recorded, so never sent again
        assert (await tenant.get(f"/webhooks/{doomed['id']}")).status_code == 404
        async with db.unit_of_work() as session:
            left = await session.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.subscription_id == uuid.UUID(doomed["id"])
                )
            )
            assert list(left) == []
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert failures == [], [r.getMessage() for r in failures]
    finally:
        assert held.hold is not None
        held.hold.set()
        await held.stop()
        await fine.stop()
