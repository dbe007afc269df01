"""The SLA room's cron: the breach and warning sweep."""

from __future__ import annotations

from ticketdesk.jobs import JobContext
from ticketdesk.sla import service


async def sla_sweep(ctx: JobContext) -> dict[str, int]:
    async with ctx.db.unit_of_work() as session:
        return await service.sweep(session)
