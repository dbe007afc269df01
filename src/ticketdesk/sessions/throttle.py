"""Login throttling with atomic counters: in Redis when configured, else in the database.

Every attempt is counted *before* its password is checked, so concurrent attempts cannot all
pass a limit they each read as not reached. Two counters, per window:
- one per email from one client IP: after `login_max_failures` its attempts wait, for
  `login_slowdown_seconds`, then twice as long, … up to the window. The owner is slowed down,
  never locked out: their own IP's counter is not the one an attacker elsewhere fills up.
- one per client IP, over every email: `login_ip_max_failures` failures hold that IP for a
  window (a password sprayer). A successful login gives its attempt back.
A refused attempt is a 429 with `Retry-After` and is not counted itself.
"""

from __future__ import annotations

import hashlib
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.errors import RateLimited
from ticketdesk.sessions import repository


@dataclass(frozen=True)
class Limits:
    window_ms: int
    pair_attempts: int
    pair_holds_ms: tuple[int, ...]  # the waits after the limit-th attempt, then the next…
    ip_attempts: int
    ip_holds_ms: tuple[int, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        window = settings.login_failure_window_minutes * 60_000
        holds, hold = [], settings.login_slowdown_seconds * 1000
        while hold < window:
            holds.append(hold)
            hold *= 2
        holds.append(window)
        return cls(
            window_ms=window,
            pair_attempts=settings.login_max_failures,
            pair_holds_ms=tuple(holds),
            ip_attempts=settings.login_ip_max_failures,
            ip_holds_ms=(window,),
        )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:40]


def ip_key(client_ip: str) -> str:
    return f"ip:{_digest(client_ip)}"


def pair_key(email: str, client_ip: str) -> str:
    return f"pair:{_digest(email, client_ip)}"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _seconds(wait_ms: int) -> int:
    return max(1, math.ceil(wait_ms / 1000))


class LoginThrottle(ABC):
    """Where the counters live; the rules above are the same for every store."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def reserve(self, email: str, client_ip: str, *, now: int | None = None) -> None:
        """Count this attempt before its password is checked; RateLimited when it may not run.
        (`now`: epoch milliseconds, for tests of the waits.)"""
        clock = now is None
        now = _now_ms() if now is None else now
        limits = self.limits

        def waited(wait: int) -> int:  # seconds from now, not from when this attempt queued
            return _seconds(wait - (_now_ms() - now) if clock else wait)

        wait = await self._reserve(
            ip_key(client_ip), now, limits.ip_attempts, limits.window_ms, limits.ip_holds_ms
        )
        if wait is not None:
            raise RateLimited(
                "Too many failed logins from your network; try again later.",
                retry_after=waited(wait),
            )
        wait = await self._reserve(
            pair_key(email, client_ip),
            now,
            limits.pair_attempts,
            limits.window_ms,
            limits.pair_holds_ms,
        )
        if wait is not None:
            await self._release(ip_key(client_ip), now)  # not checked: not a failure
            raise RateLimited(
                "Too many failed logins for this email; wait before trying again.",
                retry_after=waited(wait),
            )

    @abstractmethod
    async def succeeded(
        self, session: AsyncSession, email: str, client_ip: str, *, now: int | None = None
    ) -> None:
        """The password matched: the pair starts afresh and the IP gets its attempt back
        (in the database: inside `session`, the transaction that stores the new session)."""

    async def aclose(self) -> None:
        return None

    @abstractmethod
    async def _reserve(
        self, key: str, now: int, limit: int, window: int, holds: Sequence[int]
    ) -> int | None:
        """Count one attempt for `key`; None when counted, else the milliseconds to wait."""

    @abstractmethod
    async def _release(self, key: str, now: int) -> None:
        """Give back one attempt counted for `key` (and lift its hold)."""


class DatabaseThrottle(LoginThrottle):
    """Counters in `login_counters`, each change one atomic upsert in a short transaction."""

    def __init__(self, db: Database, limits: Limits) -> None:
        super().__init__(limits)
        self.db = db

    async def _reserve(
        self, key: str, now: int, limit: int, window: int, holds: Sequence[int]
    ) -> int | None:
        async with self.db.unit_of_work() as session:
            attempts = await repository.reserve_attempt(
                session, key, now=now, limit=limit, window=window, holds=holds
            )
            if attempts is None:
                held = await repository.hold_until(session, key)
                return max(1, (held or now) - now)
            if attempts == 1:  # a fresh window: sweep the counters nobody needs any more
                await repository.delete_expired_counters(session, now=now)
            return None

    async def _release(self, key: str, now: int) -> None:
        async with self.db.unit_of_work() as session:
            await repository.release_attempt(session, key, now=now)

    async def succeeded(
        self, session: AsyncSession, email: str, client_ip: str, *, now: int | None = None
    ) -> None:
        await repository.clear_attempts(session, pair_key(email, client_ip))
        await repository.release_attempt(
            session, ip_key(client_ip), now=_now_ms() if now is None else now
        )


# Both scripts run atomically in Redis; a counter is a hash that expires with its window.
_RESERVE_SCRIPT = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local row = redis.call('HMGET', KEYS[1], 'attempts', 'window_ends_at', 'hold_until')
local attempts = tonumber(row[1])
local window_ends_at = tonumber(row[2])
local hold_until = tonumber(row[3]) or 0
if hold_until > now then
  return hold_until - now
end
if attempts == nil or window_ends_at == nil or window_ends_at <= now then
  attempts = 1
  window_ends_at = now + window
else
  attempts = attempts + 1
end
hold_until = 0
if attempts >= limit then
  hold_until = now + tonumber(ARGV[math.min(4 + attempts - limit, #ARGV)])
end
redis.call('HSET', KEYS[1], 'attempts', attempts, 'window_ends_at', window_ends_at,
  'hold_until', hold_until)
redis.call('PEXPIRE', KEYS[1], math.max(window_ends_at, hold_until) - now)
return -1
"""
_RELEASE_SCRIPT = """
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts'))
if attempts and attempts > 0 then
  redis.call('HSET', KEYS[1], 'attempts', attempts - 1, 'hold_until', 0)
end
return 0
"""


class RedisThrottle(LoginThrottle):
    """Counters in Redis, shared by every API process that uses the same Redis."""

    def __init__(self, redis_url: str, prefix: str, limits: Limits) -> None:
        super().__init__(limits)
        self.redis: Redis = Redis.from_url(redis_url)
        self.prefix = f"{prefix}:login"
        self._reserve_script = self.redis.register_script(_RESERVE_SCRIPT)
        self._release_script = self.redis.register_script(_RELEASE_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    async def _reserve(
        self, key: str, now: int, limit: int, window: int, holds: Sequence[int]
    ) -> int | None:
        wait = int(
            await self._reserve_script(keys=[self._key(key)], args=[now, limit, window, *holds])
        )
        return None if wait < 0 else max(1, wait)

    async def _release(self, key: str, now: int) -> None:
        await self._release_script(keys=[self._key(key)], args=[now])

    async def succeeded(
        self, session: AsyncSession, email: str, client_ip: str, *, now: int | None = None
    ) -> None:
        await self.redis.delete(self._key(pair_key(email, client_ip)))
        await self._release(ip_key(client_ip), _now_ms() if now is None else now)

    async def aclose(self) -> None:
        await self.redis.aclose()


def login_throttle(db: Database, settings: Settings) -> LoginThrottle:
    """The process's throttle: Redis when configured (shared by every API process), else the
    database (shared too: every process uses the same one)."""
    limits = Limits.from_settings(settings)
    if settings.redis_url:
        return RedisThrottle(settings.redis_url, settings.queue_name, limits)
    return DatabaseThrottle(db, limits)
