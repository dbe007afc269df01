"""Small helpers for tests: a logged-in tenant and ticket factories."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


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
