"""Webhooks end to end in one process: the in-process runner, a real HTTP receiver."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ticketdesk.db import utcnow
from ticketdesk.jobs import InProcessRunner, JobContext
from ticketdesk.models import Event, Notification, WebhookSubscription
from ticketdesk.webhooks.tasks import DISPATCH_JOB, dispatch_job, on_events, sweep_outbox


async def subscribe(tenant, receiver, events, **extra):
    response = await tenant.post("/webhooks", json={"url": receiver.url, "events": events, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def verify(secret, request):
    return Webhook(secret).verify(request.body, request.headers)


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


async def test_a_ticket_keeps_its_order_when_dispatch_jobs_finish_out_of_order(
    tenant, receiver, db, settings
):
    everything = await subscribe(tenant, receiver, ["*"])
    status_only = await subscribe(tenant, receiver, ["ticket.status_changed"])
    db.event_listeners.remove(on_events)  # hold the after-commit hand-off: we run it ourselves
    try:
        ticket = await tenant.create_ticket()
        await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "in_progress"})
    finally:
        db.event_listeners.append(on_events)
    async with db.unit_of_work() as session:
        created_id, changed_id = await session.scalars(
            select(Event.id).where(Event.ticket_id == uuid.UUID(ticket["id"])).order_by(Event.id)
        )
    ctx = JobContext(db, settings, "test-dispatch")

    await dispatch_job(ctx, [changed_id])  # the later event's job wins the race
    assert receiver.requests == []  # neither hook may see the change before the creation

    await dispatch_job(ctx, [created_id])
    requests = await receiver.wait_for(3)

    def seen_by(hook):
        return [r.json["type"] for r in requests if _signed_by(hook["secret"], r)]

    assert seen_by(everything) == ["ticket.created", "ticket.status_changed"]
    assert seen_by(status_only) == ["ticket.status_changed"]


def _signed_by(secret, request):
    try:
        verify(secret, request)
    except WebhookVerificationError:
        return False
    return True


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
    got = (await tenant.get(f"/webhooks/{hook['id']}")).json()
    assert got["active"] is False
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


async def test_an_event_never_handed_to_a_job_is_swept_up(tenant, receiver, db, settings):
    await subscribe(tenant, receiver, ["ticket.note"])
    async with db.unit_of_work() as session:  # as if the process died right after commit
        await session.execute(
            insert(Event).values(
                workspace_id=uuid.UUID(tenant.workspace_id),
                ticket_id=None,
                type="ticket.note",
                actor_kind="system",
                data={"note": "orphan"},
                created_at=utcnow() - timedelta(seconds=30),
            )
        )
    await sweep_outbox(JobContext(db, settings, "test-sweep"))
    await db.job_runner.drain()
    (request,) = await receiver.wait_for(1)
    assert request.json["data"]["event"]["data"] == {"note": "orphan"}
    assert request.json["data"]["ticket"] is None
    # and a second sweep finds nothing left to send
    await sweep_outbox(JobContext(db, settings, "test-sweep"))
    await db.job_runner.drain()
    assert len(receiver.requests) == 1


async def test_who_may_manage_webhooks(tenant, other_tenant, receiver):
    hook = await subscribe(tenant, receiver, ["*"])
    assert (await tenant.get("/webhooks", role="agent")).status_code == 403
    assert (await tenant.get("/webhooks", role="viewer")).status_code == 403
    assert (await other_tenant.get(f"/webhooks/{hook['id']}")).status_code == 404
    token = await tenant.post("/api-tokens", json={"name": "hooks", "scopes": ["webhooks:manage"]})
    assert token.status_code == 201, token.text
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    listed = await tenant.client.get("/webhooks", headers=headers)
    assert listed.status_code == 200
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert (await tenant.delete(f"/webhooks/{hook['id']}")).status_code == 204
    assert (await tenant.get(f"/webhooks/{hook['id']}")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0:8080/",
        "not a url",
    ],
)
async def test_unusable_targets_are_refused_on_create(tenant, url):
    response = await tenant.post("/webhooks", json={"url": url, "events": ["*"]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "url"]


async def test_bad_event_patterns_are_refused(tenant, receiver):
    for events in ([], ["Ticket Created"], ["x" * 65]):
        response = await tenant.post("/webhooks", json={"url": receiver.url, "events": events})
        assert response.status_code == 422


async def test_commits_while_a_dispatch_waits_ride_along_in_it(tenant, receiver, db, settings):
    """Under load the in-process queue folds later commits' events into a dispatch job that
    has not started yet: one job, and every event delivered."""
    await subscribe(tenant, receiver, ["ticket.created"])
    db.event_listeners.remove(on_events)  # collect the ids instead of dispatching at once
    try:
        tickets = [await tenant.create_ticket(subject=f"burst {i}") for i in range(5)]
    finally:
        db.event_listeners.append(on_events)
    async with db.unit_of_work() as session:
        ids = list(
            await session.scalars(
                select(Event.id)
                .where(Event.workspace_id == uuid.UUID(tenant.workspace_id))
                .order_by(Event.id)
            )
        )
    runner = InProcessRunner(db, settings, concurrency=1)
    for event_id in ids:  # five commits' hand-offs before the runner's worker gets a turn
        await runner.enqueue(DISPATCH_JOB, {"event_ids": [event_id]})
    assert runner.queue.qsize() == 1
    await runner.start()
    try:
        requests = await receiver.wait_for(5)
    finally:
        await runner.stop()
    assert sorted(r.json["data"]["ticket"]["key"] for r in requests) == sorted(
        t["key"] for t in tickets
    )


async def test_events_nobody_subscribed_to_are_marked_dispatched(tenant, db):
    ticket = await tenant.create_ticket()
    await db.job_runner.drain()
    async with db.unit_of_work() as session:
        pending = await session.scalars(
            select(Event.id).where(
                Event.ticket_id == uuid.UUID(ticket["id"]), Event.dispatched_at.is_(None)
            )
        )
        assert list(pending) == []
