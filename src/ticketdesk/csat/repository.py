"""CSAT queries: a ticket's survey, the surveys due, and a survey found by its link's token.

Tenant scope: agents never query surveys directly; the public side names a survey only by
the hash of its token, and a survey is read with its own workspace's ticket (`_same_tenant`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Contact, CsatSurvey, Ticket, Workspace


def _same_tenant() -> ColumnElement[bool]:
    """A survey with its ticket and workspace: all three of one tenant."""
    return and_(
        Ticket.id == CsatSurvey.ticket_id,
        Ticket.workspace_id == CsatSurvey.workspace_id,
        Workspace.id == CsatSurvey.workspace_id,
    )


async def survey_of_ticket(session: AsyncSession, ticket: Ticket) -> CsatSurvey | None:
    found: CsatSurvey | None = await session.scalar(
        select(CsatSurvey).where(
            CsatSurvey.ticket_id == ticket.id, CsatSurvey.workspace_id == ticket.workspace_id
        )
    )
    return found


async def due_survey_ids(session: AsyncSession, now: datetime, limit: int) -> Sequence[uuid.UUID]:
    """Surveys not sent yet whose time has come, oldest first (the outbox sweep)."""
    rows = await session.scalars(
        select(CsatSurvey.id)
        .where(CsatSurvey.sent_at.is_(None), CsatSurvey.send_after <= now)
        .order_by(CsatSurvey.send_after, CsatSurvey.id)
        .limit(limit)
    )
    return rows.all()


SurveyRow = tuple[CsatSurvey, Ticket, Workspace]


async def locked_survey(session: AsyncSession, survey_id: uuid.UUID) -> SurveyRow | None:
    """A survey with its ticket and workspace, the survey and ticket rows locked."""
    row = (
        await session.execute(
            select(CsatSurvey, Ticket, Workspace)
            .where(CsatSurvey.id == survey_id, _same_tenant())
            .with_for_update(of=[CsatSurvey, Ticket])
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def survey_by_token(
    session: AsyncSession, token_hash: str, *, for_update: bool = False
) -> SurveyRow | None:
    """The survey whose link carries this token (by its hash), with its ticket and workspace."""
    stmt = select(CsatSurvey, Ticket, Workspace).where(
        CsatSurvey.token_hash == token_hash, _same_tenant()
    )
    if for_update:
        stmt = stmt.with_for_update(of=[CsatSurvey, Ticket])
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def requester(session: AsyncSession, ticket: Ticket) -> Contact | None:
    if ticket.requester_id is None:
        return None
    found: Contact | None = await session.scalar(
        select(Contact).where(
            Contact.id == ticket.requester_id, Contact.workspace_id == ticket.workspace_id
        )
    )
    return found
