"""Crons of the SLA and automation rooms: the breach sweep, schedule rules, auto-close."""

from __future__ import annotations

from ticketdesk.automations import service as automations
from ticketdesk.jobs import JobContext, cron
from ticketdesk.sla import service


@cron("sla.sweep", every_seconds=60)
async def sla_sweep(ctx: JobContext) -> dict[str, int]:
    async with ctx.db.unit_of_work() as session:
        return await service.sweep(session)


@cron("automations.schedule", every_seconds=60)
async def automations_schedule(ctx: JobContext) -> int:
    return await automations.run_schedule(ctx.db)


@cron("auto_close", every_seconds=300)
async def auto_close(ctx: JobContext) -> dict[str, int]:
    return await automations.run_auto_close(ctx.db)
