from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ticketdesk.attachments import service as attachments
from ticketdesk.auth.principal import Principal, agent, reader
from ticketdesk.comments import service
from ticketdesk.comments.schemas import CommentCreate, CommentRead, Visibility
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.tickets import service as tickets

router = APIRouter(prefix="/tickets/{ticket}/comments", tags=["comments"])


@router.post(
    "",
    status_code=201,
    response_model=CommentRead,
    operation_id="comments:create",
    responses=problems(400, 401, 403, 404, 409, 413, 415, 422),
)
async def create_comment(
    ticket: str,
    data: CommentCreate,
    session: SessionDep,
    principal: Annotated[Principal, Depends(agent)],
) -> dict[str, Any]:
    """A public reply to the requester, or an internal note only agents see."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket, for_update=True)
    comment = await service.add_comment(
        session,
        workspace,
        found,
        body=data.body,
        visibility=data.visibility,
        actor=principal.actor(),
    )
    return service.comment_view(comment)


@router.get(
    "",
    response_model=list[CommentRead],
    operation_id="comments:list",
    responses=problems(401, 403, 404, 422),
)
async def list_comments(
    ticket: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(reader)],
    visibility: Annotated[Visibility | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Every comment on the ticket (and on tickets merged into it), oldest first."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    family = await service.merged_family(session, found)
    rows = await service.list_comments(session, family, visibility=visibility)
    files = await attachments.attachments_by_comment(session, [c.id for c in rows])
    return [service.comment_view(c, files.get(c.id, [])) for c in rows]
