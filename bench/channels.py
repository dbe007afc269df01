"""Benchmark of the channels (prints figures): inbound mail, chat upserts, the public form,
and outbound SMTP throughput, in-process (httpx on the ASGI app, aiosmtpd as the relay).

    .venv/bin/python bench/channels.py                      # SQLite in a temp dir
    .venv/bin/python bench/channels.py --database-url postgresql+asyncpg://postgres@127.0.0.1/td_bench_channels

A PostgreSQL database named in --database-url must exist and be empty (it is migrated here).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

os.environ.setdefault("TICKETDESK_INSECURE_FAST_PASSWORD_HASHING", "1")

import httpx  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from ticketdesk.app import create_app  # noqa: E402
from ticketdesk.config import Settings  # noqa: E402
from ticketdesk.db import Database  # noqa: E402
from ticketdesk.email.parsing import parse_email  # noqa: E402
from ticketdesk.migrate import upgrade_async  # noqa: E402
from ticketdesk.workspaces.service import create_workspace  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "mail" / "fixtures" / "multipart_attachments.eml"


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<44} n={len(samples):>4}  p50={statistics.median(samples) * 1000:7.2f} ms  "
        f"p99={p99 * 1000:7.2f} ms  rate={len(samples) / sum(samples):7.1f}/s"
    )


async def timed(n: int, call: Callable[[int], Awaitable[httpx.Response]], ok: int) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        response = await call(i)
        samples.append(time.perf_counter() - start)
        assert response.status_code == ok, response.text
    return samples


def mail(i: int, subject: str | None = None, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Customer {i} <customer{i}@example.com>"
    message["To"] = "support@example.com"
    message["Subject"] = subject or f"Printer {i} is on fire"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(f"Hello,\n\nprinter {i} is on fire again.\n\nOn Monday you wrote:\n> old")
    return bytes(message)


async def main(database_url: str | None, n: int) -> None:
    raw = FIXTURE.read_bytes()
    start = time.perf_counter()
    for _ in range(500):
        parse_email(raw)
    per_message = (time.perf_counter() - start) / 500 * 1e6
    print(f"{'parse_email (multipart, 2 attachments)':<44} {per_message:8.1f} µs/message")

    data_dir = Path(tempfile.mkdtemp(prefix="td-bench-channels-"))
    url = database_url or f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key="bench", smtp_url=f"smtp://127.0.0.1:{port}"
    )
    await upgrade_async(settings, url)
    db = Database(url)
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    async with db.unit_of_work() as session:
        await create_workspace(
            session, name="Bench", slug=slug, admin_email="admin@bench.test",
            admin_password="admin-password",
        )  # fmt: skip
    app = create_app(settings, database=db)
    print(f"backend: {url.split(':')[0]}")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b/api/v1") as client:
            login = await client.post(
                "/auth/login",
                json={"email": "admin@bench.test", "password": "admin-password", "workspace": slug},
            )
            admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
            token = await client.post(
                "/api-tokens", json={"name": "mta", "scopes": ["email:inbound"]}, headers=admin
            )
            inbound = {
                "Authorization": f"Bearer {token.json()['token']}",
                "Content-Type": "message/rfc822",
            }
            keys: list[str] = []

            async def new_mail(i: int) -> httpx.Response:
                response = await client.post("/inbound/email", content=mail(i), headers=inbound)
                keys.append(response.json()["ticket"])
                return response

            report("POST /inbound/email (new ticket)", await timed(n, new_mail, 201))

            async def tagged_reply(i: int) -> httpx.Response:
                raw_reply = mail(i, subject=f"Re: [{keys[i]}] Printer {i} is on fire")
                return await client.post("/inbound/email", content=raw_reply, headers=inbound)

            report("POST /inbound/email (reply by [TKT-n])", await timed(n, tagged_reply, 200))

            transcript = [
                {"author": "visitor" if m % 2 else "ai", "body": f"message {m}",
                 "sent_at": f"2026-11-21T09:{m // 60:02d}:{m % 60:02d}Z"}
                for m in range(200)
            ]  # fmt: skip

            async def upsert(i: int) -> httpx.Response:
                body = {"external_id": "bench-chat", "visitor": {"email": "v@example.com"},
                        "messages": transcript}  # fmt: skip
                return await client.post("/conversations", json=body, headers=admin)

            await upsert(0)
            report("POST /conversations (200-message re-post)", await timed(n, upsert, 200))
            cid = (await upsert(0)).json()["id"]

            async def poll(i: int) -> httpx.Response:
                return await client.get(f"/conversations/{cid}/messages?limit=50", headers=admin)

            report("GET /conversations/{id}/messages", await timed(n, poll, 200))
            await client.put("/settings/form", json={"rate_limit": 10_000}, headers=admin)

            async def form(i: int) -> httpx.Response:
                body = {"email": f"f{i}@example.com", "subject": "Pricing", "description": "?"}
                return await client.post(f"/public/{slug}/tickets", json=body)

            report("POST /public/{slug}/tickets", await timed(n, form, 201))

            before = sink.count
            start = time.perf_counter()
            await app.state.db.job_runner.drain(timeout=120)
            elapsed = time.perf_counter() - start
            label = "SMTP notifications drained"
            print(
                f"{label:<44} {sink.count - before} mails in {elapsed:.2f} s ({sink.count} total)"
            )
    controller.stop()
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.n))
