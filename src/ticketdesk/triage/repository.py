"""Triage queries: what training reads of a workspace's tickets, the model rows, and the
tickets suggestions point at. Every statement is scoped through `_scoped` to one workspace."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Comment, Contact, Label, Team, Ticket, TicketLabel, TriageModel
from ticketdesk.triage.examples import MAX_TEXT_CHARS

Ts = TypeVarTuple("Ts")
AnyRow = Row[*tuple[Any, ...]]

SOLVED_CATEGORIES = ("solved", "closed")
OPEN_CATEGORIES = ("open", "pending")
AGENT_KINDS = ("user", "api_token")


def _scoped(stmt: Select[*Ts], model: Any, workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant condition every query here goes through."""
    return stmt.where(model.workspace_id == workspace_id)


# -- training --------------------------------------------------------------------------------


async def training_tickets(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int
) -> Sequence[AnyRow]:
    """The newest `limit` tickets (merged ones left out: their twin speaks for them)."""
    stmt = _scoped(
        select(
            Ticket.id,
            Ticket.created_at,
            Ticket.subject,
            Ticket.description,
            Ticket.type,
            Ticket.category,
            Ticket.priority,
            Ticket.team_id,
            Ticket.status_category,
        ),
        Ticket,
        workspace_id,
    )
    stmt = stmt.where(Ticket.merged_into_id.is_(None))
    stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
    return (await session.execute(stmt)).all()


async def ticket_label_names(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[Row[uuid.UUID, str]]:
    """(ticket id, label name) for every labelled ticket of the workspace."""
    stmt = _scoped(
        select(TicketLabel.ticket_id, Label.name).join(Label, Label.id == TicketLabel.label_id),
        Label,
        workspace_id,
    )
    return (await session.execute(stmt)).all()


async def first_customer_messages(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[Row[uuid.UUID, str]]:
    """Each ticket's first public comment by its requester: (ticket id, body)."""
    ranked = _scoped(
        select(
            Comment.ticket_id,
            Comment.body,
            func.row_number()
            .over(partition_by=Comment.ticket_id, order_by=(Comment.created_at, Comment.id))
            .label("position"),
        ),
        Comment,
        workspace_id,
    )
    ranked = ranked.where(Comment.author_kind == "contact", Comment.visibility == "public")
    sub = ranked.subquery()
    stmt = select(sub.c.ticket_id, sub.c.body).where(sub.c.position == 1)
    return (await session.execute(stmt)).all()


async def solved_count(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    stmt = _scoped(select(func.count()).select_from(Ticket), Ticket, workspace_id)
    stmt = stmt.where(Ticket.status_category.in_(SOLVED_CATEGORIES))
    return int((await session.execute(stmt)).scalar_one())


async def solved_counts(session: AsyncSession) -> dict[uuid.UUID, int]:
    """Solved or closed tickets per workspace, for the schedule (one index-only pass)."""
    stmt = (
        select(Ticket.workspace_id, func.count())
        .where(Ticket.status_category.in_(SOLVED_CATEGORIES))
        .group_by(Ticket.workspace_id)
    )
    return {ws: int(n) for ws, n in (await session.execute(stmt)).all()}


# -- model rows ------------------------------------------------------------------------------


async def ready_model_version(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Row[uuid.UUID, int] | None:
    stmt = _scoped(select(TriageModel.id, TriageModel.version), TriageModel, workspace_id)
    return (await session.execute(stmt.where(TriageModel.state == "ready"))).first()


async def model_blob(session: AsyncSession, workspace_id: uuid.UUID, model_id: uuid.UUID) -> bytes:
    stmt = _scoped(select(TriageModel.blob), TriageModel, workspace_id)
    blob = (await session.execute(stmt.where(TriageModel.id == model_id))).scalar_one_or_none()
    return blob or b""


async def model_row(
    session: AsyncSession, workspace_id: uuid.UUID, state: str
) -> TriageModel | None:
    """The workspace's newest run in `state` (the blob is left unloaded)."""
    stmt = _scoped(select(TriageModel), TriageModel, workspace_id).where(TriageModel.state == state)
    stmt = stmt.order_by(TriageModel.version.desc()).limit(1)
    return (await session.scalars(stmt)).first()


async def latest_runs(session: AsyncSession) -> dict[uuid.UUID, TriageModel]:
    """Each workspace's newest run (for the schedule)."""
    newest = (
        select(TriageModel.workspace_id, func.max(TriageModel.version).label("version"))
        .group_by(TriageModel.workspace_id)
        .subquery()
    )
    stmt = select(TriageModel).join(
        newest,
        (newest.c.workspace_id == TriageModel.workspace_id)
        & (newest.c.version == TriageModel.version),
    )
    return {row.workspace_id: row for row in (await session.scalars(stmt)).all()}


async def run_by_id(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID, *, for_update: bool = False
) -> TriageModel | None:
    stmt = _scoped(select(TriageModel), TriageModel, workspace_id).where(TriageModel.id == run_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def next_version(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    stmt = _scoped(select(func.max(TriageModel.version)), TriageModel, workspace_id)
    return int((await session.execute(stmt)).scalar_one() or 0) + 1


async def retire_ready(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """The current model steps aside (its blob is dropped: nothing serves it any more)."""
    stmt = update(TriageModel).where(TriageModel.workspace_id == workspace_id)
    await session.execute(
        stmt.where(TriageModel.state == "ready").values(state="retired", blob=None)
    )


# -- what suggestions point at ---------------------------------------------------------------


async def tickets_by_ids(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, AnyRow]:
    if not ids:
        return {}
    stmt = _scoped(
        select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.status_category,
            Ticket.merged_into_id,
        ),
        Ticket,
        workspace_id,
    )
    rows = (await session.execute(stmt.where(Ticket.id.in_(list(ids))))).all()
    return {row.id: row for row in rows}


async def open_candidates(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    requester_id: uuid.UUID | None,
    exclude: uuid.UUID,
    since: datetime,
    limit: int,
) -> Sequence[AnyRow]:
    """Open tickets that may duplicate one: the requester's own, then the newest others."""
    columns = (
        Ticket.id,
        Ticket.number,
        Ticket.subject,
        # what the model reads of it, not a 100 kB description per candidate
        func.substr(Ticket.description, 1, MAX_TEXT_CHARS).label("description"),
        Ticket.status,
        Ticket.requester_id,
    )

    def base() -> Select[*tuple[Any, ...]]:
        stmt = _scoped(select(*columns), Ticket, workspace_id)
        return stmt.where(
            Ticket.status_category.in_(OPEN_CATEGORIES),
            Ticket.merged_into_id.is_(None),
            Ticket.id != exclude,
        )

    rows: list[AnyRow] = []
    if requester_id is not None:
        own = base().where(Ticket.requester_id == requester_id)
        own = own.order_by(Ticket.created_at.desc()).limit(limit)
        rows.extend((await session.execute(own)).all())
    others = base().where(Ticket.created_at >= since)
    if requester_id is not None:
        others = others.where((Ticket.requester_id != requester_id) | Ticket.requester_id.is_(None))
    others = others.order_by(Ticket.created_at.desc()).limit(limit)
    rows.extend((await session.execute(others)).all())
    return rows


async def solving_replies(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AnyRow]:
    """Each ticket's last public agent reply: the one that solved it."""
    if not ticket_ids:
        return {}
    ranked = _scoped(
        select(
            Comment.id,
            Comment.ticket_id,
            Comment.body,
            Comment.author_name,
            Comment.created_at,
            func.row_number()
            .over(
                partition_by=Comment.ticket_id,
                order_by=(Comment.created_at.desc(), Comment.id.desc()),
            )
            .label("position"),
        ),
        Comment,
        workspace_id,
    ).where(
        Comment.ticket_id.in_(list(ticket_ids)),
        Comment.visibility == "public",
        Comment.author_kind.in_(AGENT_KINDS),
    )
    sub = ranked.subquery()
    stmt = select(sub).where(sub.c.position == 1)
    return {row.ticket_id: row for row in (await session.execute(stmt)).all()}


async def team_names(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    stmt = _scoped(select(Team.id, Team.name), Team, workspace_id).where(Team.id.in_(list(ids)))
    return {row.id: row.name for row in (await session.execute(stmt)).all()}


async def requester_email(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID | None
) -> str | None:
    if contact_id is None:
        return None
    stmt = _scoped(select(Contact.email), Contact, workspace_id).where(Contact.id == contact_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def conversation_text(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID, limit: int
) -> Sequence[AnyRow]:
    """The ticket's comments, oldest first (for grounding a language model)."""
    stmt = _scoped(
        select(Comment.author_kind, Comment.author_name, Comment.body, Comment.visibility),
        Comment,
        workspace_id,
    )
    stmt = stmt.where(Comment.ticket_id == ticket_id).order_by(Comment.created_at, Comment.id)
    return (await session.execute(stmt.limit(limit))).all()
