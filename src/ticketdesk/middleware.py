"""ASGI middleware that guards every request before a route sees it.

- `RequestGuard`: NUL bytes in non-API URLs, body size (413), JSON-only bodies (415).
- `IdempotencyMiddleware`: `Idempotency-Key` on POSTs — replay, 409 while running, 422 on a
  different body.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update

from ticketdesk.db import Database, insert_ignoring_conflicts, utcnow
from ticketdesk.errors import PROBLEM_MEDIA_TYPE
from ticketdesk.models import IdempotencyRecord

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

IDEMPOTENCY_TTL = timedelta(hours=24)
# a key whose first request never finished (the process died) can be taken over after this
IDEMPOTENCY_STALE = timedelta(minutes=2)


async def send_problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return str(value.decode("latin-1"))
            except UnicodeDecodeError:
                return None
    return None


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when it exceeds `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        json_limit: int,
        upload_limit: int,
        raw_body_paths: list[str],
    ) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self.raw_body_paths = [re.compile(p) for p in raw_body_paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        query: bytes = scope.get("query_string", b"")
        # API routes answer NUL in their parameters themselves, naming them (query_params.py)
        api = path.startswith("/api/")
        if not api and ("\x00" in path or b"%00" in query or b"\x00" in query):
            await send_problem(send, 400, "Bad request", "The URL must not contain NUL bytes.")
            return
        if scope["method"] not in ("POST", "PUT", "PATCH") or not api:
            await self.app(scope, receive, send)
            return
        raw = any(p.match(path) for p in self.raw_body_paths)
        limit = self.upload_limit if raw else self.json_limit
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await send_problem(
                send, 413, "Payload too large", f"The request body is larger than {limit} bytes."
            )
            return
        body = await read_body(receive, limit)
        if body is None:
            await send_problem(
                send, 413, "Payload too large", f"The request body is larger than {limit} bytes."
            )
            return
        if body and not raw:
            content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json" and not content_type.endswith("+json"):
                await send_problem(
                    send, 415, "Unsupported media type", "Send the body as application/json."
                )
                return
        await self.app(scope, replay_receive(body), send)


def _visitor_email(body: bytes) -> str:
    """The email an anonymous caller gives in a JSON body (the public form's `email`), if any."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    email = data.get("email") if isinstance(data, dict) else None
    return email.strip().lower() if isinstance(email, str) else ""


def idempotency_scope(scope: Scope, body: bytes) -> str:
    """Whose keys these are: a token's holder, or an anonymous visitor (the public form), told
    apart by client address, the path they post to and the email they give, so one visitor's
    key neither blocks nor replays another's. Hashed: the scope column holds no token."""
    authorization = _header(scope, b"authorization")
    if authorization:
        return hashlib.sha256(authorization.encode()).hexdigest()
    client = scope.get("client") or ("", 0)
    visitor = "\n".join(("anonymous", str(client[0]), scope["path"], _visitor_email(body)))
    return hashlib.sha256(visitor.encode("utf-8", "surrogatepass")).hexdigest()


# answers that carry a credential made for this request (a session or API token): never kept
# in the idempotency table, so a key on them is ignored and each call is answered afresh
_CREDENTIAL_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/api-tokens"})


class IdempotencyMiddleware:
    """The first response to a POST with `Idempotency-Key` is kept 24 h and replayed on retries
    (not for the routes that issue credentials: their answers are never stored)."""

    def __init__(self, app: ASGIApp, *, db: Callable[[], Database]) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if (
            key is None
            or scope["method"] != "POST"
            or not scope.get("path", "").startswith("/api/")
            or scope["path"].rstrip("/") in _CREDENTIAL_PATHS
        ):
            await self.app(scope, receive, send)
            return
        if not key or len(key) > 255 or not key.isprintable():
            await send_problem(
                send,
                422,
                "Validation failed",
                "Idempotency-Key must be 1-255 printable characters.",
            )
            return
        body = await read_body(receive, 64 * 1024 * 1024) or b""
        caller = idempotency_scope(scope, body)
        request_hash = hashlib.sha256(
            scope["method"].encode()
            + b" "
            + scope["path"].encode()
            + b"?"
            + scope.get("query_string", b"")
            + b"\n"
            + body
        ).hexdigest()
        db = self.db()
        now = utcnow()
        running = f"running:{secrets.token_hex(8)}"
        async with db.unit_of_work() as session:
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.created_at < now - IDEMPOTENCY_TTL
                )
            )
            await insert_ignoring_conflicts(
                session,
                IdempotencyRecord,
                [
                    {
                        "scope": caller,
                        "key": key,
                        "request_hash": request_hash,
                        "state": running,
                        "created_at": now,
                    }
                ],
                ["scope", "key"],
            )
            record = await session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.scope == caller, IdempotencyRecord.key == key
                )
            )
            assert record is not None
            owner = record.state == running
            stale = (
                record.state.startswith("running") and record.created_at < now - IDEMPOTENCY_STALE
            )
            if stale and record.request_hash == request_hash:
                record.created_at, record.state = now, running
                owner = True
        if not owner:
            if record.request_hash != request_hash:
                await send_problem(
                    send,
                    422,
                    "Idempotency key reused",
                    "This Idempotency-Key was used with a different request; use a new key.",
                )
                return
            if record.state.startswith("running"):
                await send_problem(
                    send,
                    409,
                    "Request in progress",
                    "A request with this Idempotency-Key is still running; retry shortly.",
                    [(b"retry-after", b"1")],
                )
                return
            await self._replay(send, record)
            return
        await self._run_and_store(scope, body, send, db, caller, key)

    async def _replay(self, send: Send, record: IdempotencyRecord) -> None:
        headers = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in record.response_headers or []
        ]
        headers.append((b"idempotent-replayed", b"true"))
        await send(
            {"type": "http.response.start", "status": record.response_status, "headers": headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": (record.response_body or "").encode("utf-8", "surrogateescape"),
            }
        )

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, db: Database, caller: str, key: str
    ) -> None:
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive(body), capture)
        finally:
            async with db.unit_of_work() as session:
                if status >= 500 or status in (401, 409, 429):
                    # not a final answer: let the client retry with the same key
                    await session.execute(
                        delete(IdempotencyRecord).where(
                            IdempotencyRecord.scope == caller, IdempotencyRecord.key == key
                        )
                    )
                else:
                    await session.execute(
                        update(IdempotencyRecord)
                        .where(IdempotencyRecord.scope == caller, IdempotencyRecord.key == key)
                        .values(
                            state="done",
                            response_status=status,
                            response_headers=[
                                [k.decode("latin-1"), v.decode("latin-1")] for k, v in headers
                            ],
                            response_body=b"".join(chunks).decode("utf-8", "surrogateescape"),
                        )
                    )
