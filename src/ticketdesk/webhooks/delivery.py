"""Sending deliveries: claim, sign, POST, record, schedule the retry. The database decides.

Each delivery row is its own schedule (attempts, retry step, next attempt) and its own lock:
a worker claims due rows by setting `locked_until` (a lease, `FOR UPDATE SKIP LOCKED`), so
any number of workers share the work, and a worker that dies mid-delivery only delays the row
until the lease runs out; the sweep then hands it to another. arq merely triggers.

Order per ticket: a subscription receives a ticket's events in event order. A delivery is
sent only when no earlier delivery of the same ticket to the same subscription is still
pending, and no earlier event of the ticket waits to be fanned out into deliveries (two
dispatch jobs may run at once); when one finishes (delivered or given up), the worker goes on
with the next of that chain, and a dispatch goes on with the deliveries that waited for it.
So a receiver failing on event N holds back N+1 for that ticket until N succeeds or is given
up; other tickets are unaffected. Manual redelivery re-queues a row in the same chain.

Retries (timeouts, connection errors, 429, 5xx) back off 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h, or after `Retry-After` when the receiver sends one; a delivery is given up only once the
schedule is spent and 24 h have passed. Other answers are final: 2xx delivered, `410 Gone`
disables the subscription, anything else (redirects included; they are not followed) failed.
A subscription failing for 5 days is disabled and its workspace's admins are notified.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ticketdesk.config import Settings
from ticketdesk.db import Database, after_commit, utcnow
from ticketdesk.models import Event, User, WebhookAttempt, WebhookDelivery, WebhookSubscription
from ticketdesk.notifications.service import notify
from ticketdesk.webhooks import http, ssrf
from ticketdesk.webhooks.signing import decrypt_secret, signature_header

log = logging.getLogger(__name__)

RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER_FAILING = timedelta(days=5)
MAX_RESPONSE_BYTES = 64 * 1024
STORED_BODY_CHARS = 2048
CHAIN_BUDGET_SECONDS = 20.0
SEND_CONCURRENCY = 64
DELIVER_JOB = "webhooks.deliver"


@dataclass
class Claimed:
    id: uuid.UUID
    subscription_id: uuid.UUID
    workspace_id: uuid.UUID
    ticket_id: uuid.UUID | None
    event_id: int
    payload: str
    attempts: int
    retry_step: int
    created_at: datetime
    locked_until: datetime
    url: str = ""
    secrets: tuple[str, ...] = ()

    @property
    def message_id(self) -> str:
        return f"msg_{self.id.hex}"


@dataclass
class Outcome:
    result: str  # delivered | retry | failed | gone
    started_at: datetime
    latency_ms: int
    status_code: int | None = None
    body: str | None = None
    error: str | None = None
    retry_after: float | None = None


def _earlier_pending() -> ColumnElement[bool]:
    """An earlier delivery of the chain is unfinished, or an earlier event of the ticket has
    not been fanned out yet (its dispatch job runs concurrently, or the sweep will run it)."""
    earlier = aliased(WebhookDelivery)
    return or_(
        exists().where(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.ticket_id == WebhookDelivery.ticket_id,
            earlier.event_id < WebhookDelivery.event_id,
            earlier.status == "pending",
        ),
        exists().where(
            Event.ticket_id == WebhookDelivery.ticket_id,
            Event.id < WebhookDelivery.event_id,
            Event.dispatched_at.is_(None),
        ),
    )


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
        ~_earlier_pending(),
    ]


async def claim(
    session: AsyncSession, settings: Settings, where: Sequence[ColumnElement[bool]], limit: int
) -> list[Claimed]:
    """Lease due chain heads matching `where` to this worker; returns them ready to send."""
    now = utcnow()
    lease = now + timedelta(seconds=settings.webhook_lease_seconds)
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(*_due(now), WebhookSubscription.active.is_(True), *where)
        .order_by(WebhookDelivery.event_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    rows = (
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(candidates.scalar_subquery()))
            .values(locked_until=lease)
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.subscription_id,
                WebhookDelivery.workspace_id,
                WebhookDelivery.ticket_id,
                WebhookDelivery.event_id,
                WebhookDelivery.payload,
                WebhookDelivery.attempts,
                WebhookDelivery.retry_step,
                WebhookDelivery.created_at,
            )
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not rows:
        return []
    subs = {
        sub.id: sub
        for sub in await session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.id.in_({r[1] for r in rows}))
        )
    }
    key = settings.resolved_secret_key()
    claimed = []
    for row in sorted(rows, key=lambda r: r[4]):
        sub = subs[row[1]]
        claimed.append(
            Claimed(*row, locked_until=lease, url=sub.url, secrets=_secrets(sub, key, now))
        )
    return claimed


def _secrets(sub: WebhookSubscription, key: str, now: datetime) -> tuple[str, ...]:
    current = decrypt_secret(sub.secret_encrypted, key)
    if (
        sub.previous_secret_encrypted
        and sub.previous_secret_expires_at
        and sub.previous_secret_expires_at > now
    ):
        return current, decrypt_secret(sub.previous_secret_encrypted, key)
    return (current,)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value) if value.isdigit() else None
        if seconds is None:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(seconds, 1.0), float(RETRY_DELAYS[-1]))


async def send(settings: Settings, delivery: Claimed) -> Outcome:
    """One HTTP attempt, classified; never raises for anything the receiver does."""
    started_at = utcnow()
    start = time.monotonic()
    timestamp = int(time.time())
    body = delivery.payload.encode()
    headers = {
        "content-type": "application/json",
        "user-agent": "ticketdesk-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            list(delivery.secrets), delivery.message_id, timestamp, body
        ),
    }

    def elapsed() -> int:
        return int((time.monotonic() - start) * 1000)

    try:
        async with asyncio.timeout(settings.webhook_timeout_seconds):
            target = await ssrf.resolve_target(
                delivery.url, allow_private=settings.webhook_allow_private
            )
            answer = await http.post(target, headers, body, limit=MAX_RESPONSE_BYTES)
    except ssrf.TargetRefused as exc:
        return Outcome("failed", started_at, elapsed(), error=f"target refused: {exc}"[:500])
    except TimeoutError:
        return Outcome("retry", started_at, elapsed(), error="timed out")
    except (OSError, UnicodeError, ValueError) as exc:
        return Outcome("retry", started_at, elapsed(), error=f"connection error: {exc!r}"[:500])
    text = answer.body.decode("utf-8", errors="replace")[:STORED_BODY_CHARS]
    code = answer.status_code
    outcome = Outcome("failed", started_at, elapsed(), status_code=code, body=text)
    if 200 <= code < 300:
        outcome.result = "delivered"
    elif code == 410:
        outcome.result = "gone"
    elif code == 429 or code >= 500:
        outcome.result = "retry"
        outcome.retry_after = parse_retry_after(answer.headers.get("retry-after"))
    elif 300 <= code < 400:
        outcome.error = "redirects are not followed"
    return outcome


def next_retry(delivery: Claimed, outcome: Outcome, now: datetime) -> tuple[datetime, int] | None:
    """When to try again and the new retry step, or None when the delivery is given up."""
    step = delivery.retry_step
    if step >= len(RETRY_DELAYS) and now - delivery.created_at >= RETRY_WINDOW:
        return None
    delay = outcome.retry_after or RETRY_DELAYS[min(step, len(RETRY_DELAYS) - 1)]
    return now + timedelta(seconds=delay), step + 1


def _schedule(delivery: Claimed, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The row's new values after this attempt (status, next attempt, last response)."""
    values: dict[str, Any] = {
        "attempts": delivery.attempts + 1,
        "retry_step": delivery.retry_step,
        "last_attempt_at": outcome.started_at,
        "last_status_code": outcome.status_code,
        "last_latency_ms": outcome.latency_ms,
        "last_response_body": outcome.body,
        "last_error": outcome.error,
        "delivered_at": None,
        "next_attempt_at": None,
        "locked_until": None,
        "outcome": outcome.result,
    }
    if outcome.result == "delivered":
        values.update(status="delivered", delivered_at=now)
    elif outcome.result == "retry" and (scheduled := next_retry(delivery, outcome, now)):
        values["next_attempt_at"], values["retry_step"] = scheduled
        values["status"] = "pending"
    else:
        values["status"] = "failed"
        if outcome.result == "retry":
            values["outcome"] = "failed"
            values["last_error"] = (outcome.error or "") + " (retries exhausted)"
    return values


_COLUMNS = (
    "attempts",
    "retry_step",
    "last_attempt_at",
    "last_status_code",
    "last_latency_ms",
    "last_response_body",
    "last_error",
    "delivered_at",
    "next_attempt_at",
    "locked_until",
    "status",
)


async def record(
    db: Database,
    settings: Settings,
    results: list[tuple[Claimed, Outcome]],
    *,
    follow: bool,
) -> list[Claimed]:
    """Store a batch of attempts and schedules in one transaction; claim the chains' next."""
    if not results:
        return []
    async with db.unit_of_work() as session:
        now = utcnow()
        live = await _still_there(session, [delivery for delivery, _ in results])
        # a webhook deleted while its delivery was in flight took the delivery with it: that
        # answer is dropped, and the others in the batch are recorded all the same
        if len(live) < len(results):
            log.info("%d deliveries of deleted webhooks dropped", len(results) - len(live))
            results = [(d, outcome) for d, outcome in results if d.id in live]
        if not results:
            return []
        rows = [(delivery, _schedule(delivery, outcome, now)) for delivery, outcome in results]
        table = cast(Table, WebhookDelivery.__table__)
        # fencing: only the holder of the current lease records (a stale worker is ignored)
        await session.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"), table.c.locked_until == bindparam("b_lease"))
            .values({name: bindparam(f"v_{name}") for name in _COLUMNS}),
            [
                {
                    "b_id": d.id,
                    "b_lease": d.locked_until,
                    **{f"v_{name}": values[name] for name in _COLUMNS},
                }
                for d, values in rows
            ],
        )
        await session.execute(
            insert(WebhookAttempt),
            [
                {
                    "delivery_id": d.id,
                    "attempt": values["attempts"],
                    "started_at": values["last_attempt_at"],
                    "outcome": values["outcome"],
                    "status_code": values["last_status_code"],
                    "latency_ms": values["last_latency_ms"],
                    "response_body": values["last_response_body"],
                    "error": values["last_error"],
                }
                for d, values in rows
            ],
        )
        await _track_health(session, results, now)
        retries: dict[int, list[uuid.UUID]] = defaultdict(list)
        for d, values in rows:
            if values["status"] == "pending":
                retries[max(1, round((values["next_attempt_at"] - now).total_seconds()))].append(
                    d.id
                )
        for delay, ids in retries.items():
            digest = hashlib.sha1(b"".join(i.bytes for i in ids)).hexdigest()[:16]
            after_commit(
                session,
                partial(_enqueue, db, ids, job_id=f"webhook-retry:{digest}", defer_seconds=delay),
            )
    chains = {
        (d.subscription_id, d.ticket_id)
        for d, values in rows
        if values["status"] != "pending" and d.ticket_id is not None
    }
    if not follow or not chains:
        return []
    # After the commit, not inside it: a later delivery whose own claim ran while this
    # transaction was open saw its predecessor still pending; from here on it is visible.
    async with db.unit_of_work() as session:
        return await claim(
            session,
            settings,
            [tuple_(WebhookDelivery.subscription_id, WebhookDelivery.ticket_id).in_(list(chains))],
            limit=len(chains),
        )


async def _still_there(session: AsyncSession, batch: Sequence[Claimed]) -> set[uuid.UUID]:
    """The batch's deliveries whose webhook still exists, held until this transaction ends.

    Locked in the order a webhook's deletion takes them (the subscription, then its
    deliveries by cascade), so a concurrent DELETE waits for this commit instead of
    deadlocking with it; a deletion that committed first leaves its rows out. (SQLite has
    one writer at a time: there the rows are simply read.)"""
    await session.execute(
        select(WebhookSubscription.id)
        .where(WebhookSubscription.id.in_({d.subscription_id for d in batch}))
        .order_by(WebhookSubscription.id)
        .with_for_update(read=True, key_share=True)  # FOR KEY SHARE: blocks deletes only
    )
    return set(
        await session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.id.in_([d.id for d in batch]))
            .order_by(WebhookDelivery.id)
            .with_for_update(read=True, key_share=True)
        )
    )


async def _track_health(
    session: AsyncSession, results: list[tuple[Claimed, Outcome]], now: datetime
) -> None:
    """Successes clear a subscription's failing state; failures start it, or disable it."""
    by_sub: dict[uuid.UUID, set[str]] = defaultdict(set)
    for delivery, outcome in results:
        by_sub[delivery.subscription_id].add(outcome.result)
    for sub_id, outcomes in sorted(by_sub.items()):  # one lock order for concurrent jobs
        # only where it changes: a success clears the failing state, a failure starts it
        failing = WebhookSubscription.failing_since
        if "delivered" in outcomes:
            changes, failing_since = failing.is_not(None), None
        else:
            changes, failing_since = failing.is_(None), now
        await session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == sub_id, changes)
            .values(failing_since=failing_since)
            .execution_options(synchronize_session=False)
        )
        if "gone" in outcomes:
            await _disable(
                session,
                sub_id,
                WebhookSubscription.active.is_(True),
                "The receiver answered 410 Gone.",
                now,
            )
        elif "delivered" not in outcomes:
            await _disable(
                session,
                sub_id,
                and_(
                    WebhookSubscription.active.is_(True),
                    WebhookSubscription.failing_since <= now - DISABLE_AFTER_FAILING,
                ),
                "Deliveries have failed for 5 days.",
                now,
            )


async def _disable(
    session: AsyncSession,
    sub_id: uuid.UUID,
    condition: ColumnElement[bool],
    reason: str,
    now: datetime,
) -> None:
    disabled = (
        await session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == sub_id, condition)
            .values(active=False, disabled_at=now, disabled_reason=reason, updated_at=now)
            .returning(WebhookSubscription.workspace_id, WebhookSubscription.url)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if disabled is None:
        return
    workspace_id, url = disabled
    admins = await session.scalars(
        select(User.id).where(User.workspace_id == workspace_id, User.role == "admin")
    )
    await notify(
        session,
        workspace_id=workspace_id,
        user_ids=list(admins),
        kind="webhook.disabled",
        data={"webhook_id": sub_id, "url": url, "reason": reason},
    )
    log.warning("webhook %s disabled: %s", sub_id, reason)


async def deliver(db: Database, settings: Settings, delivery_ids: Sequence[uuid.UUID]) -> int:
    """Send the given deliveries that are due, then each ticket's next, in rounds.

    One round: claim (one transaction), send concurrently, record (one transaction, which
    also claims the next delivery of every ticket chain that finished). One database
    connection per job at a time, however many requests are in flight.
    """
    if not delivery_ids:
        return 0
    async with db.unit_of_work() as session:
        batch = await claim(
            session, settings, [WebhookDelivery.id.in_(list(delivery_ids))], len(delivery_ids)
        )
    deadline = time.monotonic() + CHAIN_BUDGET_SECONDS
    gate = asyncio.Semaphore(SEND_CONCURRENCY)
    sent = 0

    async def attempt(delivery: Claimed) -> tuple[Claimed, Outcome]:
        async with gate:
            return delivery, await send(settings, delivery)

    while batch:
        results = await asyncio.gather(*(attempt(d) for d in batch))
        sent += len(results)
        batch = await record(db, settings, results, follow=time.monotonic() < deadline)
    return sent


async def _enqueue(
    db: Database,
    ids: Sequence[uuid.UUID],
    *,
    job_id: str | None = None,
    defer_seconds: float | None = None,
) -> None:
    if db.job_runner is None:
        return
    await db.job_runner.enqueue(
        DELIVER_JOB,
        {"delivery_ids": [str(i) for i in ids]},
        job_id=job_id,
        defer_seconds=defer_seconds,
    )


async def enqueue_deliveries(db: Database, ids: Sequence[uuid.UUID], *, chunk: int = 50) -> None:
    """Hand deliveries to the job system in chunks; ids make re-sweeps of a chunk collapse."""
    for start in range(0, len(ids), chunk):
        part = list(ids[start : start + chunk])
        digest = hashlib.sha1(b"".join(i.bytes for i in part)).hexdigest()[:20]
        await _enqueue(db, part, job_id=f"webhook-deliver:{digest}")


async def due_delivery_ids(db: Database, *, grace_seconds: float, limit: int) -> list[uuid.UUID]:
    """Chain heads whose time has come and that nobody holds (retries, crashed workers)."""
    now = utcnow()
    async with db.unit_of_work() as session:
        return list(
            await session.scalars(
                select(WebhookDelivery.id)
                .join(
                    WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
                )
                .where(
                    *_due(now),
                    WebhookDelivery.next_attempt_at <= now - timedelta(seconds=grace_seconds),
                    WebhookSubscription.active.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )
