"""Login throttling on both stores (the database, and real Redis): attempts counted before the
password check under real concurrency, the slow-down per email and address, the ceiling per
address, and the owner never locked out from elsewhere."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.conftest import service_missing
from ticketdesk.errors import NotAuthenticated, RateLimited
from ticketdesk.sessions import service as auth
from ticketdesk.sessions.throttle import DatabaseThrottle, Limits, LoginThrottle, RedisThrottle

REDIS_URL = os.environ.get("TICKETDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")
MINUTE = 60_000


def new_address() -> str:
    """An address no other test uses, so no count carries over."""
    part = uuid.uuid4().hex
    return f"2001:db8::{part[:4]}:{part[4:8]}:{part[8:12]}"


@pytest.fixture(params=["database", "redis"])
async def throttle(request, db, settings) -> AsyncIterator[LoginThrottle]:
    limits = Limits.from_settings(settings)
    if request.param == "database":
        yield DatabaseThrottle(db, limits)
        return
    probe = Redis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis
        await probe.aclose()
        service_missing("Redis", exc)
    prefix = f"td-test-{uuid.uuid4().hex[:12]}"
    store = RedisThrottle(REDIS_URL, prefix, limits)
    try:
        yield store
    finally:
        async for key in probe.scan_iter(match=f"{prefix}:*"):
            await probe.delete(key)
        await probe.aclose()
        await store.aclose()


def retry_after(refusal: pytest.ExceptionInfo[RateLimited]) -> int:
    return int(refusal.value.headers["Retry-After"])


async def login(db, settings, throttle, email, password, client_ip):
    async with db.unit_of_work() as session:
        return await auth.login(
            db,
            session,
            settings,
            throttle,
            email=email,
            password=password,
            workspace_slug=None,
            client_ip=client_ip,
        )


async def outcomes(attempts) -> tuple[int, list[RateLimited]]:
    """(how many reached the password check and failed, the refusals) of concurrent logins."""
    results = await asyncio.gather(*attempts, return_exceptions=True)
    checked = sum(isinstance(r, NotAuthenticated) for r in results)
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert checked + len(refused) == len(results), results
    return checked, refused


async def test_concurrent_wrong_passwords_reach_the_check_at_most_the_limit(
    tenant, db, settings, throttle
):
    email = tenant.users["agent"]["email"]
    attacker = new_address()
    checked, refused = await outcomes(
        login(db, settings, throttle, email, "wrong-password", attacker) for _ in range(30)
    )
    assert 1 <= checked <= settings.login_max_failures
    assert len(refused) == 30 - checked
    assert all(1 <= int(r.headers["Retry-After"]) <= 60 for r in refused)
    # from the attacker's address the account waits, even with the right password…
    with pytest.raises(RateLimited):
        await login(db, settings, throttle, email, "user-password", attacker)
    # …while its owner, anywhere else, logs in
    owner = await login(db, settings, throttle, email, "user-password", new_address())
    assert owner.user.email == email


async def test_a_sprayer_is_refused_over_every_email_once_past_the_ceiling(
    tenant, db, settings, throttle
):
    sprayer = new_address()
    ceiling = settings.login_ip_max_failures
    emails = [f"guess-{i}@{tenant.slug}.test" for i in range(ceiling + 10)]
    checked, refused = await outcomes(
        login(db, settings, throttle, email, "Summer2026!", sprayer) for email in emails
    )
    assert checked == ceiling
    assert len(refused) == 10
    assert all("your network" in r.detail for r in refused)
    owner = tenant.users["agent"]["email"]
    with pytest.raises(RateLimited) as held:
        await login(db, settings, throttle, owner, "user-password", sprayer)
    assert retry_after(held) > (settings.login_failure_window_minutes - 1) * 60
    assert (await login(db, settings, throttle, owner, "user-password", new_address())).user


async def test_the_wait_doubles_and_the_window_then_starts_afresh(settings, throttle):
    email, address = "owner@example.test", new_address()
    limit = settings.login_max_failures
    start = int(time.time() * 1000)
    for _ in range(limit):
        await throttle.reserve(email, address, now=start)
    with pytest.raises(RateLimited) as held:
        await throttle.reserve(email, address, now=start)
    assert retry_after(held) == 60
    with pytest.raises(RateLimited) as held:
        await throttle.reserve(email, address, now=start + MINUTE - 1)
    assert retry_after(held) == 1
    await throttle.reserve(email, address, now=start + MINUTE)  # one more, a minute later
    with pytest.raises(RateLimited) as held:
        await throttle.reserve(email, address, now=start + MINUTE)
    assert retry_after(held) == 120
    await throttle.reserve(email, address, now=start + 3 * MINUTE)
    with pytest.raises(RateLimited) as held:
        await throttle.reserve(email, address, now=start + 3 * MINUTE)
    assert retry_after(held) == 240
    await throttle.reserve(email, address, now=start + 7 * MINUTE)
    with pytest.raises(RateLimited) as held:
        await throttle.reserve(email, address, now=start + 7 * MINUTE)
    assert retry_after(held) == 8 * 60  # the 15-minute window ends with this wait
    # a new window: the full allowance again, at once
    for _ in range(limit):
        await throttle.reserve(email, address, now=start + 15 * MINUTE)
    with pytest.raises(RateLimited):
        await throttle.reserve(email, address, now=start + 15 * MINUTE)


async def test_a_successful_login_clears_the_email_and_gives_the_address_its_attempt_back(
    db, settings, throttle
):
    address, owner = new_address(), "owner@example.test"
    start = int(time.time() * 1000)
    for i in range(settings.login_ip_max_failures - settings.login_max_failures):
        await throttle.reserve(f"typo-{i}@example.test", address, now=start)
    for _ in range(settings.login_max_failures):  # the last ones: of the owner, and the address
        await throttle.reserve(owner, address, now=start)
    with pytest.raises(RateLimited):
        await throttle.reserve(owner, address, now=start)
    async with db.unit_of_work() as session:
        await throttle.succeeded(session, owner, address, now=start)
    # the owner starts afresh, taking the one attempt the address got back
    await throttle.reserve(owner, address, now=start)
    with pytest.raises(RateLimited) as held:
        await throttle.reserve("someone@example.test", address, now=start)
    assert "your network" in held.value.detail
