"""Triage's worker side: the training job (CPU work in a thread, off the event loop) and the
schedule that retrains nightly and once enough new tickets were solved."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from time import monotonic, thread_time
from typing import TYPE_CHECKING, Any

from ticketdesk.db import utcnow
from ticketdesk.jobs import JobContext
from ticketdesk.triage import repository, service

if TYPE_CHECKING:
    from ticketdesk.triage import learning

log = logging.getLogger(__name__)

# a workspace is trained first once it has this many solved tickets, then again every day it
# has new solved tickets, and at once when this many were solved since the last run
FIRST_TRAINING_AT = 50
RETRAIN_AFTER_SOLVED = 100
RETRAIN_EVERY = timedelta(hours=24)


async def train_workspace(ctx: JobContext, workspace_id: str, run_id: str) -> dict[str, Any]:
    """Fit and measure in a thread, then swap the model in (idempotent: a run done already is
    left alone)."""
    from ticketdesk.triage import learning  # on first use, as in the service

    workspace, run = uuid.UUID(workspace_id), uuid.UUID(run_id)
    async with ctx.db.unit_of_work() as session:
        examples = await service.claim_run(session, workspace, run)
        # the serving model's embeddings are reused for every ticket whose text is unchanged
        previous = await service.serving_model(session, workspace) if examples else None
    if examples is None:
        return {"skipped": True}
    embed = ctx.settings.triage_embeddings
    started = monotonic()
    blob: bytes | None = None
    error: str | None = None
    metrics: dict[str, Any] = {}
    cpu_seconds = 0.0
    try:
        bundle, metrics, cpu_seconds = await asyncio.to_thread(
            _train, examples, embed, previous.bundle if previous else None
        )
        if bundle is not None:
            blob = await asyncio.to_thread(learning.dump, bundle)
    except Exception as exc:  # a failed fit leaves the ready model serving
        log.exception("triage training failed for workspace %s", workspace)
        error = f"training failed: {type(exc).__name__}"
    seconds = monotonic() - started
    async with ctx.db.unit_of_work() as session:
        await service.finish_run(
            session,
            workspace,
            run,
            blob=blob,
            metrics=metrics,
            examples=len(examples),
            seconds=seconds,
            cpu_seconds=cpu_seconds,
            error=error,
        )
    return {"examples": len(examples), "seconds": round(seconds, 1), "bytes": len(blob or b"")}


def _train(
    examples: list[learning.Example], embed: bool, previous: learning.Bundle | None
) -> tuple[learning.Bundle | None, dict[str, Any], float]:
    """`learning.train` and the CPU time its thread spent."""
    from ticketdesk.triage import learning

    started = thread_time()
    bundle, metrics = learning.train(examples, embed=embed, previous=previous)
    return bundle, metrics, thread_time() - started


async def schedule_training(ctx: JobContext) -> int:
    """Start the runs that are due; returns how many."""
    started = 0
    now = utcnow()
    async with ctx.db.unit_of_work() as session:
        solved = await repository.solved_counts(session)
        if not any(n >= FIRST_TRAINING_AT for n in solved.values()):
            return 0
        latest = await repository.latest_runs(session)
        for workspace_id, solved_now in solved.items():
            if solved_now < FIRST_TRAINING_AT:
                continue
            run = latest.get(workspace_id)
            newly_solved = solved_now - (run.solved_seen if run else 0)
            if run is not None:
                if run.state == "training" and run.created_at > now - service.TRAINING_STALE_AFTER:
                    continue
                due = newly_solved >= RETRAIN_AFTER_SOLVED or (
                    newly_solved > 0 and run.created_at <= now - RETRAIN_EVERY
                )
                if not due:
                    continue
            await service.request_training(session, workspace_id, service.TRIAGE_ACTOR)
            started += 1
    return started
