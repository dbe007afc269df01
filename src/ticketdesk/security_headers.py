"""Security headers on every HTTP response: CSP, nosniff, no framing, no referrer, and no caching
of API responses (they carry tokens and private data).

One policy fits what Vite builds for the SPA: module scripts and stylesheets from /assets,
React's style props, the data: favicon, the WebSocket to the same host, and the email
preview's sandboxed srcdoc frame (which inherits this policy: inline styles, images from
anywhere). The API docs (ticketdesk.api_docs) serve Swagger UI from here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = (
    (b"content-security-policy", APP_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
API_HEADERS = (*PAGE_HEADERS, (b"cache-control", b"no-store"))


class SecurityHeaders:
    """Adds the headers a response does not set itself (built once: a list append per response).
    A route may set its own `Cache-Control` (attachments, exports, the docs' versioned files)."""

    def __init__(self, app: ASGIApp, *, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = API_HEADERS if scope["path"].startswith(self.api_prefix) else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in added if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
