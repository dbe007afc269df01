"""argon2 runs in its own bounded thread pool: logins being checked never hold up other requests.

argon2's hasher is gated (a third-party object standing in for a slow hash), so the test knows,
without timing anything, when every pool thread is busy checking a password.
"""

from __future__ import annotations

import asyncio
import threading
import uuid

import httpx
from argon2 import PasswordHasher, profiles

from ticketdesk.auth import passwords


class GatedHasher(PasswordHasher):
    """argon2, holding each verification until the gate opens; notes the thread it ran on."""

    def __init__(self) -> None:
        params = profiles.CHEAPEST
        super().__init__(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            hash_len=params.hash_len,
            salt_len=params.salt_len,
            type=params.type,
        )
        self.gate = threading.Event()
        self.started = threading.Semaphore(0)
        self.threads: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.threads.append(threading.current_thread().name)
        self.started.release()
        if threading.current_thread() is not threading.main_thread():
            self.gate.wait(timeout=120)  # on the event loop's thread it would wait for ever
        return super().verify(hash, password)


def wait_for_starts(hasher: GatedHasher, count: int) -> bool:
    return all(hasher.started.acquire(timeout=60) for _ in range(count))


async def test_healthz_answers_while_every_hashing_thread_checks_a_password(app, monkeypatch):
    hasher = GatedHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    transport = httpx.ASGITransport(app=app, client=(f"192.0.2.{uuid.uuid4().int % 250}", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        in_flight = passwords.HASHING_THREADS + 2  # more than the pool: the rest queue
        logins = [
            asyncio.create_task(
                client.post(
                    "/api/v1/auth/login",
                    json={"email": f"nobody-{i}@example.test", "password": "guess-guess"},
                )
            )
            for i in range(in_flight)
        ]
        try:
            assert await asyncio.to_thread(wait_for_starts, hasher, passwords.HASHING_THREADS)
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert not any(login.done() for login in logins)  # still being checked
        finally:
            hasher.gate.set()
        responses = await asyncio.gather(*logins)
    assert [r.status_code for r in responses] == [401] * in_flight
    assert len(hasher.threads) == in_flight
    assert all(name.startswith(passwords.HASHING_THREAD_PREFIX) for name in hasher.threads)
    assert len(set(hasher.threads)) <= passwords.HASHING_THREADS


async def test_hashing_off_the_loop_gives_a_hash_that_verifies():
    hashed = await passwords.hash_password_off_loop("correct horse battery")
    assert await passwords.verify_password_off_loop(hashed, "correct horse battery")
    assert not await passwords.verify_password_off_loop(hashed, "wrong horse")
    assert not await passwords.verify_password_off_loop(None, "correct horse battery")
