"""HTTP for bulk changes. Registered before the tickets router: `/tickets/bulk` is no key."""

from __future__ import annotations

from fastapi import APIRouter

from ticketdesk.auth.principal import Agent, WorkspaceDep
from ticketdesk.bulk import service
from ticketdesk.bulk.schemas import BulkRequest, BulkResponse
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.responses import SerializedJSON, model_response

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.post(
    "/bulk",
    response_model=BulkResponse,
    operation_id="tickets:bulk",
    responses=problems(400, 401, 403, 409, 413, 415, 422),
)
async def bulk_update(
    data: BulkRequest, session: SessionDep, principal: Agent, workspace: WorkspaceDep
) -> SerializedJSON:
    """Apply one set of changes to up to 1,000 tickets; each is applied whole or not at all."""
    results = await service.bulk_update(session, principal, workspace, data)
    return model_response(BulkResponse(results=results))
