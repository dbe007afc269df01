"""HTTP for comments: replies and internal notes on a ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ticketdesk.auth.principal import Agent, WorkspaceDep
from ticketdesk.comments import service
from ticketdesk.comments.schemas import CommentCreate, CommentRead, Visibility
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.tickets.deps import LockedTicketDep, TicketDep

router = APIRouter(prefix="/tickets/{ticket}/comments", tags=["comments"])


@router.post(
    "",
    status_code=201,
    operation_id="comments:create",
    responses=problems(400, 401, 403, 404, 409, 413, 415, 422),
)
async def create_comment(
    data: CommentCreate,
    found: LockedTicketDep,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> CommentRead:
    """A public reply to the requester, or an internal note only agents see."""
    comment = await service.add_comment(
        session,
        workspace,
        found,
        body=data.body,
        visibility=data.visibility,
        actor=principal.actor(),
    )
    return CommentRead.from_comment(comment)


@router.get("", operation_id="comments:list", responses=problems(401, 403, 404, 422))
async def list_comments(
    found: TicketDep,
    session: SessionDep,
    visibility: Annotated[Visibility | None, Query()] = None,
) -> list[CommentRead]:
    """Every comment on the ticket (and on tickets merged into it), oldest first."""
    return await service.list_comments(session, found, visibility=visibility)
