"""Real processes: `ticketdesk worker` and `ticketdesk serve` on PostgreSQL and Redis.

They get a PostgreSQL database of their own (never the shared test database: the test
process's in-process runner would sweep its events) and a unique arq queue name, so parallel
runs and other checkouts never share jobs on the one Redis.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, service_missing
from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.migrate import upgrade_async
from ticketdesk.workspaces.service import create_workspace

SRC = Path(__file__).resolve().parents[2] / "src"
REDIS_URL = os.environ.get("TICKETDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")
ADMIN_PASSWORD = "admin-password"

if "postgresql" not in BACKENDS:
    pytest.skip(
        "process tests need PostgreSQL: several processes share one database "
        "(the embedded SQLite default runs everything in one process)",
        allow_module_level=True,
    )


@dataclass
class Cluster:
    url: str
    queue: str
    env: dict[str, str]
    db: Database
    settings: Settings
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{args[0]}-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "ticketdesk", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    async def serve(self) -> str:
        # port 0: the server binds a free port itself (a port picked here first could be taken
        # by then) and its start line names it; a deadline, not a count: a loaded machine is slow
        proc = self.spawn("serve", "--port", "0")
        log = self.logs / f"serve-{len(self.procs) - 1}.log"
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient(timeout=30) as client:
            while time.monotonic() < deadline and proc.poll() is None:
                bound = re.search(
                    rb"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_bytes()
                )
                if bound:
                    base = bound.group(1).decode()
                    try:
                        if (await client.get(f"{base}/healthz")).status_code == 200:
                            return base
                    except httpx.TransportError:
                        pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"ticketdesk serve did not start; see {log}")

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            proc.send_signal(sig)
            proc.wait(10)

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)

    async def workspace(self, name: str = "Proc") -> tuple[Principal, str]:
        slug = f"{name.lower()}-{uuid.uuid4().hex[:8]}"
        async with self.db.unit_of_work() as session:
            created = await create_workspace(
                session,
                name=name,
                slug=slug,
                admin_email=f"admin@{slug}.test",
                admin_password=ADMIN_PASSWORD,
                admin_name="Alice Admin",
            )
        admin = created.admin
        principal = Principal(
            workspace_id=created.workspace.id,
            kind="user",
            id=admin.id,
            name=admin.name,
            role="admin",
            email=admin.email,
        )
        return principal, slug


async def _remove_queue_keys(redis: Redis, queue: str) -> None:
    for pattern in (f"{queue}*", f"arq:*:{queue}:*"):
        async for key in redis.scan_iter(match=pattern, count=1000):
            await redis.delete(key)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis
        await redis.aclose()
        service_missing("Redis", exc)
    name, url = await create_pg_database()
    queue = f"td-test-{uuid.uuid4().hex[:12]}"
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        secret_key="test-secret",
        webhook_allow_private=True,
    )
    env: dict[str, Any] = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TICKETDESK_DATABASE_URL": url,
        "TICKETDESK_REDIS_URL": REDIS_URL,
        "TICKETDESK_QUEUE_NAME": queue,
        "TICKETDESK_WEBHOOK_ALLOW_PRIVATE": "true",
        "TICKETDESK_SECRET_KEY": "test-secret",
        "TICKETDESK_DATA_DIR": str(tmp_path),
        "TICKETDESK_WEBHOOK_TIMEOUT_SECONDS": "3",
        "TICKETDESK_WEBHOOK_LEASE_SECONDS": "5",
    }
    db = Database(url)
    cluster = Cluster(url, queue, env, db, settings, tmp_path)
    try:
        await upgrade_async(settings, url)
        yield cluster
    finally:
        cluster.kill_all()
        await db.dispose()
        await drop_pg_database(name)
        await _remove_queue_keys(redis, queue)
        await redis.aclose()
