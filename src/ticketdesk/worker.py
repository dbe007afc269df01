"""arq WorkerSettings and the Redis-backed job runner (built out by the event backbone)."""

from __future__ import annotations

from typing import Any

from ticketdesk.config import Settings
from ticketdesk.db import Database


class ArqRunner:
    """Enqueues jobs into Redis for `ticketdesk worker`; runs nothing itself."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def enqueue(
        self,
        name: str,
        kwargs: dict[str, Any],
        *,
        job_id: str | None = None,
        defer_seconds: float | None = None,
    ) -> str:
        raise NotImplementedError("the arq runner arrives with the event backbone (issue 5)")

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def run_worker(settings: Settings) -> None:
    raise SystemExit("ticketdesk worker is not built yet (issue 5)")
