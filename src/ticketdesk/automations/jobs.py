"""The automation room's crons: schedule rules every minute, auto-close every five."""

from __future__ import annotations

from ticketdesk.automations import service
from ticketdesk.jobs import JobContext


async def automations_schedule(ctx: JobContext) -> int:
    return await service.run_schedule(ctx.db)


async def auto_close(ctx: JobContext) -> dict[str, int]:
    return await service.run_auto_close(ctx.db)
