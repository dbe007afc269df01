"""Live updates over WebSocket: `GET /api/v1/ws?token=<bearer token>`.

Browsers cannot set headers on a WebSocket, hence the query parameter; `ticketdesk serve`
redacts it from every log line (ticketdesk.log_redaction).

Protocol (JSON text frames):
- A bad, expired or revoked token: the server closes the socket with code 4401; an API token
  without `tickets:read` (or `admin`): 4403.
- Server → client, for every change to the workspace's tickets, as it commits:
  `{"type": "ticket.status_changed", "data": {"ticket": "TKT-42", "ticket_id", "id",
  "actor": {...}, "created_at", "from", "to", ...}}` (the activity event's data).
- Client → server `{"type": "viewing", "ticket": "TKT-42"}` (or `"ticket": null`, or
  `{"type": "leave"}`): everyone viewing that ticket, on any API process, receives
  `{"type": "presence", "ticket": "TKT-42", "users": [{"id", "name", "kind"}]}` whenever
  its viewers change (a connection views one ticket at a time; disconnecting leaves).
- Client → server `{"type": "typing", "ticket": "TKT-42"}`: the ticket's other viewers get
  `{"type": "typing", "ticket", "user"}`. `{"type": "ping"}` answers `{"type": "pong"}`.
- A client that does not read fast enough is closed with code 1013 and should reconnect
  (and refetch what it shows); live updates are best effort, the activity log is the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.db import Database
from ticketdesk.realtime.broker import Broker, Connection

router = APIRouter()

MAX_FRAME_CHARS = 4096
MAX_TICKET_REF = 64


@router.websocket("/ws")
async def live_updates(websocket: WebSocket) -> None:
    await websocket.accept()
    token = websocket.query_params.get("token", "")
    db: Database = websocket.app.state.db
    principal = None
    if token and len(token) <= 512 and "\x00" not in token:
        async with db.unit_of_work() as session:
            principal = await principal_from_token(session, token)
    if principal is None:
        await websocket.close(code=4401, reason="unknown, expired or revoked token")
        return
    if principal.kind == "api_token" and not principal.scopes & {"tickets:read", "admin"}:
        await websocket.close(code=4403, reason="the token lacks the tickets:read scope")
        return
    broker: Broker = websocket.app.state.broker
    conn = Connection(
        socket=websocket,
        workspace_id=str(principal.workspace_id),
        user={"id": str(principal.id), "name": principal.name, "kind": principal.kind},
    )
    await broker.connected(conn)
    pump = asyncio.create_task(conn.pump())
    try:
        while not conn.dropped:
            raw = await websocket.receive_text()
            reply = await _handle(broker, conn, raw)
            if reply is not None and not conn.offer(json.dumps(reply)):
                broker.hub.drop(conn)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
        await broker.disconnected(conn)


def _ticket_ref(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TICKET_REF:
        return None
    value = value.strip()
    return value if "\x00" not in value else None


def _canonical(ref: str) -> str:
    # keys are case-insensitive (tkt-42 is TKT-42); ids stay as they are
    return ref.upper() if "-" in ref and len(ref) < 32 else ref.lower()


async def _handle(broker: Broker, conn: Connection, raw: str) -> dict[str, Any] | None:
    if len(raw) > MAX_FRAME_CHARS:
        return {"type": "error", "detail": "frame too large"}
    try:
        message = json.loads(raw)
    except ValueError:
        return {"type": "error", "detail": "frames must be JSON objects"}
    if not isinstance(message, dict):
        return {"type": "error", "detail": "frames must be JSON objects"}
    kind = message.get("type")
    if kind == "ping":
        return {"type": "pong"}
    if kind == "leave" or (kind == "viewing" and message.get("ticket") is None):
        await broker.view(conn, None)
        return None
    if kind in ("viewing", "typing"):
        ref = _ticket_ref(message.get("ticket"))
        if ref is None:
            return {"type": "error", "detail": "`ticket` must be a ticket key or id"}
        if kind == "viewing":
            await broker.view(conn, _canonical(ref))
        else:
            await broker.typing(conn, _canonical(ref))
        return None
    return {"type": "error", "detail": f"unknown message type {kind!r}"}
