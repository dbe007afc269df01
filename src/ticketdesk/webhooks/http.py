"""A deliberately small HTTP/1.1 POST for webhooks: asyncio streams and h11, one connection each.

General clients do more than a webhook sender should (redirects, proxies from the
environment, connection pools whose bookkeeping dominated the profile at hundreds of
deliveries per second). This one connects to the address `ssrf.resolve_target` checked,
sends one request, reads at most `limit` bytes of the answer and closes.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

from ticketdesk.webhooks.ssrf import Target

_TLS = ssl.create_default_context()


class ProtocolError(ConnectionError):
    """The receiver did not speak HTTP/1.1 properly."""


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    body: bytes


async def post(target: Target, headers: dict[str, str], body: bytes, *, limit: int) -> Answer:
    parts = urlsplit(target.url)
    host = (parts.hostname or "").strip("[]")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    tls = _TLS if parts.scheme == "https" else None
    reader, writer = await asyncio.open_connection(
        host,
        port,
        ssl=tls,
        server_hostname=(target.sni_hostname or host) if tls else None,
        limit=limit + 1024,
    )
    try:
        conn = h11.Connection(h11.CLIENT)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        request = h11.Request(
            method="POST",
            target=path,
            headers=[
                ("host", target.host_header),
                *headers.items(),
                ("content-length", str(len(body))),
                ("connection", "close"),
            ],
        )
        writer.write(
            conn.send(request) + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage())
        )
        await writer.drain()
        status, answer_headers = 0, {}
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise ProtocolError(str(exc)) from exc
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                answer_headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
                size += len(event.data)
                if size >= limit:
                    break
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
        if status == 0:
            raise ProtocolError("the connection closed before a response")
        return Answer(status, answer_headers, b"".join(chunks)[:limit])
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 1)
        except (OSError, TimeoutError, ssl.SSLError):
            pass
