"""The e2e run's mail relay: a real SMTP server (aiosmtpd) that keeps every message it accepts
as one JSON file in a directory, so a flow reads the mail a customer would get (decoded, no
MIME parsing in Node) by polling for files.

    python smtp_sink.py <directory>

It binds a port the kernel picks (no window for another process to take it) and prints
`SMTP sink on 127.0.0.1:<port>` once it accepts connections.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import json
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body((subtype,))
    return body.get_content() if body is not None else None


class Maildir:
    """aiosmtpd handler: one `<n>.json` per message, written whole before it gets its name
    (a reader never sees half a message)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        assert isinstance(envelope.original_content, bytes)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        record: dict[str, Any] = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {name: str(value) for name, value in message.items()},
            "subject": str(message["Subject"] or ""),
            "text": _part(message, "plain"),
            "html": _part(message, "html"),
        }
        name = f"{next(self.numbers):05d}.json"
        partial = self.directory / f".{name}.partial"
        partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
        partial.rename(self.directory / name)
        return "250 Message accepted"


async def serve(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    handler = Maildir(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: smtp_sink.py <directory>")
    asyncio.run(serve(Path(sys.argv[1])))
