"""Small helpers for tests: a logged-in tenant and ticket factories."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import event


@dataclass
class Tenant:
    client: httpx.AsyncClient
    slug: str
    workspace_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def login(self, role: str, email: str, password: str) -> None:
        response = await self.client.post(
            "/auth/login", json={"email": email, "password": password, "workspace": self.slug}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.tokens[role] = body["access_token"]
        self.users[role] = body["user"]

    async def add_user(self, role: str, name: str, key: str | None = None) -> dict[str, Any]:
        key = key or role
        email = f"{key}@{self.slug}.test"
        response = await self.client.post(
            "/users",
            json={"email": email, "name": name, "role": role, "password": "user-password"},
            headers=self.headers("admin"),
        )
        assert response.status_code == 201, response.text
        await self.login(key, email, "user-password")
        return response.json()

    async def request(
        self, method: str, url: str, *, role: str = "admin", **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers(role), **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def create_ticket(self, role: str = "admin", **fields: Any) -> dict[str, Any]:
        body = {"subject": "Printer on fire", **fields}
        response = await self.post("/tickets", json=body, role=role)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


class Statements:
    """The SQL sent to the database while the block runs (`with Statements(db) as seen:`)."""

    def __init__(self, db: Any) -> None:
        self.engine = db.engine.sync_engine
        self.seen: list[str] = []

    def _record(self, *args: Any) -> None:
        self.seen.append(args[2])

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], what: str, *, timeout: float = 60.0, interval: float = 0.05
) -> T:
    """Wait for `check()` to return something truthy, and return it: a condition, not a sleep.

    The timeout is generous on purpose (a loaded machine is slow); a passing test never waits
    for it. On timeout the assertion names `what` and the last value seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, (
            f"gave up after {timeout:.0f} s waiting for {what}: {value!r}"
        )
        await asyncio.sleep(interval)
