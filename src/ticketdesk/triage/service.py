"""Triage rules: when to train, which model serves, what it suggests for a text or a ticket,
and what it fills in on a new ticket (only what the creator left empty, at the workspace's
thresholds, recorded with actor `triage` and the confidence)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events, jobs
from ticketdesk.config import Settings
from ticketdesk.db import utcnow
from ticketdesk.errors import Conflict
from ticketdesk.models import Ticket, TriageModel, Workspace
from ticketdesk.models.ticket import PRIORITY_RANK
from ticketdesk.ticket_types import service as ticket_types
from ticketdesk.tickets import service as tickets
from ticketdesk.triage import examples, llm, repository
from ticketdesk.triage.schemas import (
    FieldQuality,
    GeneratedText,
    Prediction,
    SimilarTicket,
    SuggestedReply,
    SuggestedValue,
    TicketInsights,
    TrainAccepted,
    TriageModelRead,
    TriageSettings,
    TriageSettingsRead,
)

# The learning (scikit-learn, SciPy, NumPy: some 100 MB of memory) is imported inside the
# functions that use it, so an API process loads it only once a workspace has a model to
# serve; at start it has only `examples`.
if TYPE_CHECKING:
    from ticketdesk.triage import learning
    from ticketdesk.triage.learning import Bundle

log = logging.getLogger(__name__)

TRIAGE_ACTOR = events.system_actor("triage")
TRAIN_JOB = "triage.train"
MAX_TRAINING_TICKETS = 20_000
# a run still `training` after this long died with its worker: a new request replaces it
TRAINING_STALE_AFTER = timedelta(hours=1)
SIMILAR_LIMIT = 5
DUPLICATE_LIMIT = 5
DUPLICATE_WINDOW = timedelta(days=30)
DUPLICATE_CANDIDATES = 300
REPLY_LIMIT = 3
MAX_CACHED_MODELS = 16
# a chat handover without a priority takes triage's even when no threshold is set
CHAT_PRIORITY_THRESHOLD = 0.0


class NoTriageModel(Conflict):
    title = "No triage model"


class TriageModelOutdated(Conflict):
    title = "Triage model needs retraining"

    def __init__(self, version: int) -> None:
        super().__init__(
            f"This workspace's triage model (v{version}) was stored by an older release in a "
            "format this one does not read; POST /triage/train (admin) replaces it.",
            extra={"code": "triage_model_outdated", "version": version},
        )


# -- the model a process serves: loaded lazily, cached by version ----------------------------


@dataclass(frozen=True)
class Served:
    version: int
    bundle: Bundle


_served: OrderedDict[uuid.UUID, Served] = OrderedDict()
# the ready version of a workspace whose blob this process could not read (an older format):
# not read again until a new version is ready
_unreadable: dict[uuid.UUID, int] = {}


async def _ready_model(session: AsyncSession, workspace_id: uuid.UUID) -> Served | int | None:
    """The workspace's ready model, or the version of one this release cannot read: one
    indexed lookup per call, so a swap is seen by the next request; the blob is read and
    unpickled only when the version changed."""
    row = await repository.ready_model_version(session, workspace_id)
    if row is None:
        _served.pop(workspace_id, None)
        return None
    version: int = row.version
    cached = _served.get(workspace_id)
    if cached is not None and cached.version == version:
        _served.move_to_end(workspace_id)
        return cached
    if _unreadable.get(workspace_id) == version:
        return version
    blob = await repository.model_blob(session, workspace_id, row.id)
    if not blob:
        return None
    from ticketdesk.triage import learning  # the first model this process serves

    try:
        bundle = await asyncio.to_thread(learning.load, blob)
    except (ValueError, AttributeError, TypeError, ImportError):
        log.warning("triage model v%s of workspace %s needs retraining", version, workspace_id)
        _unreadable[workspace_id] = version
        return version
    _unreadable.pop(workspace_id, None)
    served = Served(version, bundle)
    _served[workspace_id] = served
    _served.move_to_end(workspace_id)
    while len(_served) > MAX_CACHED_MODELS:
        _served.popitem(last=False)
    return served


async def serving_model(session: AsyncSession, workspace_id: uuid.UUID) -> Served | None:
    """The workspace's ready model (None: none yet, or one of an older format, served by none
    until the next run replaces it)."""
    model = await _ready_model(session, workspace_id)
    return model if isinstance(model, Served) else None


async def require_model(session: AsyncSession, workspace_id: uuid.UUID) -> Served:
    model = await _ready_model(session, workspace_id)
    if isinstance(model, int):
        raise TriageModelOutdated(model)
    if model is None:
        raise NoTriageModel(
            "This workspace has no trained triage model yet; POST /triage/train (admin)."
        )
    return model


# -- training --------------------------------------------------------------------------------


async def request_training(
    session: AsyncSession, workspace_id: uuid.UUID, actor: events.Actor
) -> TrainAccepted:
    """Start a run, or answer with the one already running (one run per workspace at once)."""
    running = await repository.model_row(session, workspace_id, "training")
    if running is not None:
        if running.created_at > utcnow() - TRAINING_STALE_AFTER:
            return TrainAccepted(job_id=str(running.id))
        running.state, running.error = "failed", "the training run did not finish"
        await session.flush()
    run = TriageModel(
        workspace_id=workspace_id,
        version=await repository.next_version(session, workspace_id),
        state="training",
        metrics={},
        solved_seen=await repository.solved_count(session, workspace_id),
    )
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:  # a concurrent request started one first: that one it is
        running = await repository.model_row(session, workspace_id, "training")
        if running is None:
            raise Conflict("Training was just requested; try again.") from None
        return TrainAccepted(job_id=str(running.id))
    events.record(
        session,
        workspace_id=workspace_id,
        ticket_id=None,
        type="triage.training_requested",
        actor=actor,
        data={"version": run.version, "job_id": run.id},
    )
    jobs.enqueue_after_commit(
        session,
        TRAIN_JOB,
        job_id=f"{TRAIN_JOB}:{run.id}",
        workspace_id=str(workspace_id),
        run_id=str(run.id),
    )
    return TrainAccepted(job_id=str(run.id))


async def training_examples(
    session: AsyncSession, workspace_id: uuid.UUID
) -> list[examples.Example]:
    """The workspace's newest tickets as training reads them (four queries, no N+1)."""
    rows = await repository.training_tickets(session, workspace_id, MAX_TRAINING_TICKETS)
    wanted = {row.id for row in rows}
    labels: dict[uuid.UUID, list[str]] = {}
    for ticket_id, name in await repository.ticket_label_names(session, workspace_id):
        if ticket_id in wanted:
            labels.setdefault(ticket_id, []).append(name)
    first = {
        ticket_id: body
        for ticket_id, body in await repository.first_customer_messages(session, workspace_id)
    }
    return [
        examples.Example(
            ticket_id=str(row.id),
            created_at=row.created_at,
            text=examples.ticket_text(row.subject, row.description, first.get(row.id)),
            solved=row.status_category in repository.SOLVED_CATEGORIES,
            type=row.type,
            category=row.category,
            priority=row.priority,
            team=str(row.team_id) if row.team_id else None,
            labels=sorted(labels.get(row.id, [])),
        )
        for row in rows
    ]


async def claim_run(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID
) -> list[examples.Example] | None:
    """The examples for a run still waiting to train (None: done already, or gone)."""
    run = await repository.run_by_id(session, workspace_id, run_id)
    if run is None or run.state != "training":
        return None
    return await training_examples(session, workspace_id)


async def finish_run(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    blob: bytes | None,
    metrics: dict[str, Any],
    examples: int,
    seconds: float,
    cpu_seconds: float = 0.0,
    error: str | None = None,
) -> None:
    """Swap the new model in: the old one is retired in the same transaction, so every
    reader sees one ready model, old or new."""
    run = await repository.run_by_id(session, workspace_id, run_id, for_update=True)
    if run is None or run.state != "training":
        return
    run.metrics, run.examples = metrics, examples
    run.duration_ms, run.cpu_ms = int(seconds * 1000), int(cpu_seconds * 1000)
    if blob is None:
        run.state = "failed"
        run.error = error or "no field had enough examples to learn from"
        await session.flush()
        return
    await repository.retire_ready(session, workspace_id)
    run.state, run.blob, run.blob_bytes, run.trained_at = "ready", blob, len(blob), utcnow()
    await session.flush()
    events.record(
        session,
        workspace_id=workspace_id,
        ticket_id=None,
        type="triage.model_ready",
        actor=TRIAGE_ACTOR,
        data={
            "version": run.version,
            "examples": examples,
            "fields": {
                name: figures.get("accuracy")
                for name, figures in _fields(metrics).items()
                if "left_out" not in figures
            },
            "similarity": _training(metrics).get("similarity"),
        },
    )


def _fields(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: figures for name, figures in metrics.items() if name in examples.FIELDS}


def _training(metrics: dict[str, Any]) -> dict[str, Any]:
    """How the run went (similarity backend, embedding figures), beside the fields' quality."""
    figures: dict[str, Any] = metrics.get(examples.TRAINING_KEY) or {}
    return figures


def similarity_backend(settings: Settings | None, ready: TriageModel | None) -> str:
    """What similar tickets use here: MiniLM when the model was trained with it and this
    process has the extra, else TF-IDF (no model yet: what a training would use)."""
    from ticketdesk.triage import embeddings  # NumPy: on first use, as the learning

    if not embeddings.available():
        return "tfidf"
    if ready is not None:
        return str(_training(ready.metrics or {}).get("similarity") or "tfidf")
    return embeddings.NAME if settings is None or settings.triage_embeddings else "tfidf"


def model_read(
    ready: TriageModel | None, running: TriageModel | None, similarity: str = "tfidf"
) -> TriageModelRead:
    state = "training" if running is not None else "ready" if ready is not None else "none"
    if ready is None:
        return TriageModelRead(state=state, similarity=similarity)
    metrics = _fields(ready.metrics or {})
    return TriageModelRead(
        state=state,
        version=ready.version,
        trained_at=ready.trained_at,
        examples=ready.examples,
        fields={
            name: FieldQuality.model_validate(figures)
            for name, figures in metrics.items()
            if "left_out" not in figures
        },
        left_out={
            name: str(figures["left_out"])
            for name, figures in metrics.items()
            if "left_out" in figures
        },
        model_bytes=ready.blob_bytes,
        training_seconds=(ready.duration_ms or 0) / 1000,
        training_cpu_seconds=(ready.cpu_ms or 0) / 1000,
        similarity=similarity,
        embedding_seconds=_training(ready.metrics or {}).get("embedding_seconds"),
    )


async def model_status(
    session: AsyncSession, workspace_id: uuid.UUID, settings: Settings | None = None
) -> TriageModelRead:
    ready = await repository.model_row(session, workspace_id, "ready")
    running = await repository.model_row(session, workspace_id, "training")
    if running is not None and running.created_at <= utcnow() - TRAINING_STALE_AFTER:
        running = None
    read = model_read(ready, running, similarity_backend(settings, ready))
    failed = await repository.model_row(session, workspace_id, "failed")
    if failed is not None and (ready is None or failed.version > ready.version):
        read.last_error = failed.error
        if ready is None and running is None:
            read.left_out = {
                name: str(figures["left_out"])
                for name, figures in _fields(failed.metrics or {}).items()
                if "left_out" in figures
            }
    read.llm_configured = settings is not None and llm.is_configured(settings)
    return read


# -- suggestions -----------------------------------------------------------------------------


async def _suggested(
    session: AsyncSession, workspace_id: uuid.UUID, result: learning.Prediction
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, suggestion in result.fields.items():
        fields[name] = SuggestedValue(value=suggestion.value, confidence=suggestion.confidence)
    team = result.fields.get("team")
    if team is not None:
        names = await repository.team_names(session, workspace_id, [uuid.UUID(team.value)])
        if uuid.UUID(team.value) in names:
            fields["team"].name = names[uuid.UUID(team.value)]
        else:  # the team was deleted since training
            del fields["team"]
    fields["labels"] = [
        SuggestedValue(value=s.value, confidence=s.confidence) for s in result.labels
    ]
    return fields


async def _similar_tickets(
    session: AsyncSession, workspace: Workspace, found: list[tuple[str, float]]
) -> list[tuple[uuid.UUID, SimilarTicket]]:
    """The trained tickets found, as they stand now (merged or deleted ones left out)."""
    ids = [uuid.UUID(ticket_id) for ticket_id, _ in found]
    rows = await repository.tickets_by_ids(session, workspace.id, ids)
    similar = []
    for ticket_id, score in zip(ids, (s for _, s in found), strict=True):
        row = rows.get(ticket_id)
        if row is None or row.merged_into_id is not None:
            continue
        key = f"{workspace.ticket_prefix}-{row.number}"
        similar.append(
            (ticket_id, SimilarTicket(key=key, subject=row.subject, status=row.status, score=score))
        )
    return similar


async def predict(
    session: AsyncSession, workspace: Workspace, subject: str, description: str
) -> Prediction:
    served = await require_model(session, workspace.id)
    from ticketdesk.triage import learning  # loaded with the model being served

    query = learning.Query(served.bundle, examples.ticket_text(subject, description))
    result = learning.predict(served.bundle, query)
    found = learning.similar(served.bundle, query, result, limit=SIMILAR_LIMIT)
    similar = await _similar_tickets(session, workspace, found)
    return Prediction(
        **await _suggested(session, workspace.id, result),
        similar=[s for _, s in similar],
        model_version=served.version,
    )


async def ticket_insights(
    session: AsyncSession, workspace: Workspace, ticket: Ticket
) -> TicketInsights:
    served = await require_model(session, workspace.id)
    from ticketdesk.triage import learning  # loaded with the model being served

    query = learning.Query(served.bundle, examples.ticket_text(ticket.subject, ticket.description))
    result = learning.predict(served.bundle, query)
    exclude = {str(ticket.id)}
    found = learning.similar(
        served.bundle, query, result, limit=SIMILAR_LIMIT, solved_only=True, exclude=exclude
    )
    solved = await _solved_statuses(session, workspace.id)
    similar = [
        (ticket_id, s)
        for ticket_id, s in await _similar_tickets(session, workspace, found)
        if s.status in solved
    ]
    replies = await repository.solving_replies(session, workspace.id, [i for i, _ in similar])
    suggested_replies = [
        SuggestedReply(
            ticket=s.key,
            subject=s.subject,
            score=s.score,
            body=replies[ticket_id].body,
            author=replies[ticket_id].author_name,
        )
        for ticket_id, s in similar
        if ticket_id in replies
    ][:REPLY_LIMIT]
    return TicketInsights(
        **await _suggested(session, workspace.id, result),
        similar=[s for _, s in similar],
        possible_duplicates=await _duplicates(session, workspace, ticket, served.bundle, query),
        suggested_replies=suggested_replies,
        model_version=served.version,
    )


async def _solved_statuses(session: AsyncSession, workspace_id: uuid.UUID) -> set[str]:
    statuses = await tickets.workspace_statuses(session, workspace_id)
    return {s.name for s in statuses if s.category in repository.SOLVED_CATEGORIES}


async def _duplicates(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    bundle: Bundle,
    query: learning.Query,
) -> list[SimilarTicket]:
    """Open tickets close in meaning: the same requester's first, then the best others."""
    from ticketdesk.triage import learning

    candidates = await repository.open_candidates(
        session,
        workspace.id,
        requester_id=ticket.requester_id,
        exclude=ticket.id,
        since=utcnow() - DUPLICATE_WINDOW,
        limit=DUPLICATE_CANDIDATES,
    )
    others = [(str(c.id), examples.ticket_text(c.subject, c.description)) for c in candidates]
    scores = await asyncio.to_thread(learning.text_similarity, bundle, query, others)
    least = learning.DUPLICATE_MIN_SCORE[bundle.similarity]
    close = [
        (c.requester_id is not None and c.requester_id == ticket.requester_id, score, c)
        for c, score in zip(candidates, scores, strict=True)
        if score >= least
    ]
    close.sort(key=lambda item: (not item[0], -item[1]))
    return [
        SimilarTicket(
            key=f"{workspace.ticket_prefix}-{c.number}", subject=c.subject, status=c.status, score=s
        )
        for _, s, c in close[:DUPLICATE_LIMIT]
    ]


# -- settings --------------------------------------------------------------------------------


def triage_settings(workspace: Workspace) -> TriageSettingsRead:
    stored = (workspace.settings or {}).get("triage") or {}
    return TriageSettingsRead(auto_apply=dict(stored.get("auto_apply") or {}))


async def set_triage_settings(
    session: AsyncSession, workspace: Workspace, data: TriageSettings
) -> TriageSettingsRead:
    settings = dict(workspace.settings or {})
    settings["triage"] = {"auto_apply": dict(data.auto_apply)}
    workspace.settings = settings
    await session.flush()
    return triage_settings(workspace)


# -- on create: fill in what the creator left empty ------------------------------------------


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Observer: on a new ticket, set each field the creator left empty whose prediction
    reaches the workspace's threshold, in the create's transaction."""
    if not change.created or not change.left_empty:
        return
    thresholds = dict(triage_settings(change.workspace).auto_apply)
    if change.ticket.channel == "chat" and "priority" in change.left_empty:
        thresholds.setdefault("priority", CHAT_PRIORITY_THRESHOLD)
    wanted = {name: t for name, t in thresholds.items() if name in change.left_empty}
    if not wanted:
        return
    served = await serving_model(session, change.workspace.id)
    if served is None:
        return
    from ticketdesk.triage import learning  # loaded with the model being served

    ticket, workspace = change.ticket, change.workspace
    result = learning.predict(
        served.bundle, examples.ticket_text(ticket.subject, ticket.description)
    )
    key = tickets.ticket_key(workspace, ticket)

    def record(kind: str, data: dict[str, Any], confidence: float) -> None:
        payload = {"ticket": key, **data, "confidence": confidence, "model_version": served.version}
        events.record_ticket_event(session, ticket, kind, TRIAGE_ACTOR, payload)

    for name, threshold in wanted.items():
        if name == "labels":
            chosen = [s for s in result.labels if s.confidence >= threshold]
            if chosen:
                changed = await tickets.set_labels(
                    session, workspace, ticket, [s.value for s in chosen]
                )
                if changed is not None:
                    before, after = changed
                    data = {"from": before, "to": after, "added": after, "removed": []}
                    record("ticket.labels_changed", data, min(s.confidence for s in chosen))
                    change.changes["labels"] = {"from": before, "to": after}
            continue
        suggestion = result.fields.get(name)
        if suggestion is None or suggestion.confidence < threshold:
            continue
        if await _apply_field(
            session,
            workspace,
            ticket,
            name,
            suggestion.value,
            record=record,
            confidence=suggestion.confidence,
        ):
            change.changes[name] = {"from": None, "to": suggestion.value}


async def _apply_field(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    name: str,
    value: str,
    *,
    record: Callable[[str, dict[str, Any], float], None],
    confidence: float,
) -> bool:
    if name in ("type", "category"):
        if name == "type":
            known = (await ticket_types.ticket_types(session, workspace.id)).get(value)
            if known is None or known.archived:
                return False
        old = getattr(ticket, name)
        setattr(ticket, name, value)
        record(f"ticket.{name}_changed", {"from": old, "to": value}, confidence)
        return True
    if name == "priority":
        if value not in PRIORITY_RANK or value == ticket.priority:
            return False
        old = ticket.priority
        ticket.priority, ticket.priority_rank = value, PRIORITY_RANK[value]
        record("ticket.priority_changed", {"from": old, "to": value}, confidence)
        return True
    if name == "team":
        names = await repository.team_names(session, workspace.id, [uuid.UUID(value)])
        team_id = uuid.UUID(value)
        if team_id not in names:
            return False
        ticket.team_id = team_id
        record(
            "ticket.team_changed",
            {"from": None, "to": {"id": team_id, "name": names[team_id]}},
            confidence,
        )
        return True
    return False


# -- for automations: triage values and confidences as conditions ----------------------------


async def triage_facts(
    session: AsyncSession, workspace_id: uuid.UUID, ticket: Ticket
) -> dict[str, Any]:
    """`triage.<field>` and `triage.<field>_confidence` for the ticket (empty: no model)."""
    served = await serving_model(session, workspace_id)
    if served is None:
        return {}
    from ticketdesk.triage import learning  # loaded with the model being served

    result = learning.predict(
        served.bundle, examples.ticket_text(ticket.subject, ticket.description)
    )
    facts: dict[str, Any] = {}
    for name, suggestion in result.fields.items():
        facts[f"triage.{name}"] = suggestion.value
        facts[f"triage.{name}_confidence"] = suggestion.confidence
    facts["triage.labels"] = [s.value for s in result.labels]
    return facts


# -- the optional language model -------------------------------------------------------------


async def generate_text(
    session: AsyncSession, settings: Settings, workspace: Workspace, ticket: Ticket, kind: str
) -> GeneratedText:
    """A summary (`kind="summary"`) or a reply draft, grounded in the ticket, its public
    conversation and (with a model) the replies that solved similar tickets."""
    target = llm.endpoint(settings)
    rows = await repository.conversation_text(session, workspace.id, ticket.id, limit=50)
    conversation = [
        (row.author_name or row.author_kind, row.body) for row in rows if row.visibility == "public"
    ]
    solved: list[tuple[str, str, str]] = []
    if kind == "reply_draft" and await serving_model(session, workspace.id) is not None:
        insights = await ticket_insights(session, workspace, ticket)
        solved = [(r.ticket, r.subject, r.body) for r in insights.suggested_replies]
    facts = llm.grounding(
        tickets.ticket_key(workspace, ticket),
        ticket.subject,
        ticket.description,
        conversation,
        solved,
    )
    system = llm.SYSTEM_SUMMARY if kind == "summary" else llm.SYSTEM_DRAFT
    messages = [{"role": "system", "content": system}, {"role": "user", "content": facts}]
    return GeneratedText(text=await llm.complete(target, messages), model=target.model)
