"""HTTP for conversations: chat widgets and AI assistants post here, agents read here."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ticketdesk.auth.principal import Admin, Principal, Reader, WorkspaceDep, get_principal
from ticketdesk.config import Settings
from ticketdesk.conversations import service
from ticketdesk.conversations.schemas import (
    ConversationRead,
    ConversationSummary,
    ConversationTicketCreate,
    ConversationUpsert,
    MessageIn,
    MessagePage,
    MessageRead,
    TranscriptRead,
)
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Forbidden, problems
from ticketdesk.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.schemas import Page
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.deps import TicketDep
from ticketdesk.tickets.responses import ticket_response
from ticketdesk.tickets.schemas import TicketRead

router = APIRouter(tags=["conversations"])


def _any_scope(role: str, *scopes: str) -> Any:
    """The role, and for API tokens any one of `scopes` (or `admin`)."""
    allowed = frozenset({*scopes, "admin"})

    async def dependency(principal: Principal = Depends(get_principal)) -> Principal:
        if not principal.has_role(role):
            raise Forbidden(f"This needs the {role} role.")
        if principal.kind == "api_token" and not principal.scopes & allowed:
            raise Forbidden(f"This API token needs one of the scopes {sorted(scopes)}.")
        return principal

    return dependency


Writer = Annotated[Principal, Depends(_any_scope("agent", "conversations:write"))]
Converter = Annotated[
    Principal, Depends(_any_scope("agent", "conversations:write", "tickets:write"))
]
Viewer = Annotated[Principal, Depends(_any_scope("viewer", "conversations:write", "tickets:read"))]

_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.post(
    "/conversations",
    status_code=201,
    response_model=ConversationRead,
    operation_id="conversations:upsert",
    responses={
        **_WRITE,
        200: {"model": ConversationRead, "description": "The external_id was known: updated"},
    },
)
async def upsert_conversation(
    data: ConversationUpsert, session: SessionDep, principal: Writer, workspace: WorkspaceDep
) -> SerializedJSON:
    """Create a conversation, or (same `external_id`) update it; messages are never duplicated."""
    conversation, created = await service.upsert_conversation(
        session, workspace, data, actor=principal.actor()
    )
    read = await service.conversation_read(session, workspace, conversation)
    return model_response(
        read, 201 if created else 200, Location=f"/api/v1/conversations/{read.id}"
    )


@router.get("/conversations", operation_id="conversations:list", responses=problems(401, 403, 422))
async def list_conversations(
    session: SessionDep,
    principal: Viewer,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=500, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"
        ),
    ] = None,
) -> Page[ConversationSummary]:
    """Conversations, newest first, one keyset page at a time (messages not included)."""
    return await service.page_of_conversations(session, principal.workspace_id, limit, cursor)


@router.get("/conversations/{conversation_id}", operation_id="conversations:get", responses=_LOOKUP)
async def get_conversation(
    conversation_id: uuid.UUID, session: SessionDep, principal: Viewer, workspace: WorkspaceDep
) -> ConversationRead:
    """The conversation with every message, its visitor, and the tickets it spawned."""
    conversation = await service.get_conversation(session, workspace, str(conversation_id))
    return await service.conversation_read(session, workspace, conversation)


@router.delete(
    "/conversations/{conversation_id}",
    status_code=204,
    operation_id="conversations:delete",
    responses=_LOOKUP,
)
async def delete_conversation(
    conversation_id: uuid.UUID, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> Response:
    """Delete a conversation and its messages; tickets it spawned keep their transcript."""
    conversation = await service.get_conversation(
        session, workspace, str(conversation_id), for_update=True
    )
    await service.delete_conversation(session, workspace, conversation, actor=principal.actor())
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=201,
    operation_id="conversations:add_message",
    responses=_WRITE,
)
async def add_message(
    conversation_id: uuid.UUID,
    data: MessageIn,
    session: SessionDep,
    principal: Writer,
    workspace: WorkspaceDep,
) -> MessageRead:
    """Append one message (always appended: retry safely with `Idempotency-Key`)."""
    conversation = await service.get_conversation(
        session, workspace, str(conversation_id), for_update=True
    )
    return await service.add_message(
        session, workspace, conversation, data, actor=principal.actor()
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    operation_id="conversations:list_messages",
    responses=_LOOKUP,
)
async def list_messages(
    conversation_id: uuid.UUID,
    session: SessionDep,
    principal: Viewer,
    workspace: WorkspaceDep,
    after: Annotated[
        uuid.UUID | None, Query(description="a message id: only messages after it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT,
) -> MessagePage:
    """Messages oldest first, after a given message: a widget polls this for agent replies."""
    conversation = await service.get_conversation(session, workspace, str(conversation_id))
    return await service.messages_after(session, conversation, after, limit)


@router.post(
    "/conversations/{conversation_id}/tickets",
    status_code=201,
    response_model=TicketRead,
    operation_id="conversations:create_ticket",
    responses=_WRITE,
)
async def create_ticket(
    conversation_id: uuid.UUID,
    data: ConversationTicketCreate,
    request: Request,
    session: SessionDep,
    principal: Converter,
    workspace: WorkspaceDep,
) -> SerializedJSON:
    """Open a `chat` ticket from the conversation: transcript, visitor and requester attached."""
    settings: Settings = request.app.state.settings
    conversation = await service.get_conversation(
        session, workspace, str(conversation_id), for_update=True
    )
    ticket = await service.create_ticket_from_conversation(
        session, settings, workspace, conversation, data, actor=principal.actor()
    )
    read = await tickets.ticket_read(session, workspace, ticket)
    return ticket_response(read, 201, Location=f"/api/v1/tickets/{read.key}")


@router.get(
    "/tickets/{ticket}/transcript",
    operation_id="tickets:transcript",
    tags=["tickets"],
    responses=_LOOKUP,
)
async def ticket_transcript(
    found: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> TranscriptRead:
    """The chat transcript and visitor the ticket was opened from (kept if the chat is deleted)."""
    return await service.transcript(session, workspace, found)
