"""HTTP for the public contact form (no token) and its admin settings.

CORS: only origins the workspace configured get `Access-Control-Allow-Origin`, on the
preflight, on success and on errors alike (so the page can show a 422 or 429).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from ticketdesk.auth.principal import Admin, WorkspaceDep
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Forbidden, TicketdeskError, problems
from ticketdesk.forms import service
from ticketdesk.forms.schemas import (
    FormReceipt,
    FormSettingsRead,
    FormSettingsUpdate,
    FormSubmission,
)

ALLOW_HEADERS = "Content-Type, Idempotency-Key"
PREFLIGHT_MAX_AGE = "600"


async def _origin_allowed(request: Request) -> bool | None:
    """None without an Origin header; else whether the workspace allows that origin.

    Looked up before the route runs, in a session of its own, so it never waits on the
    request's transaction (SQLite holds one writer lock).
    """
    origin = request.headers.get("origin")
    if origin is None:
        return None
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        allowed = await service.allowed_origins(
            session, request.path_params.get("workspace_slug", "")
        )
    return origin.rstrip("/").lower() in allowed


class PublicCorsRoute(APIRoute):
    """Adds CORS headers for the workspace's allowed origins to every answer, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            request.state.origin_allowed = await _origin_allowed(request)
            try:
                response = await original(request)
            except (RequestValidationError, TicketdeskError) as exc:
                kind = (
                    TicketdeskError if isinstance(exc, TicketdeskError) else RequestValidationError
                )
                response = await request.app.exception_handlers[kind](request, exc)
            if request.state.origin_allowed:
                response.headers["Access-Control-Allow-Origin"] = request.headers["origin"]
                response.headers["Access-Control-Expose-Headers"] = "Retry-After, Location"
            response.headers["Vary"] = "Origin"
            return response

        return handler


public_router = APIRouter(tags=["forms"], route_class=PublicCorsRoute)
router = APIRouter(tags=["forms"])


def _client_ip(request: Request) -> str:
    # behind a proxy, run uvicorn with --proxy-headers/--forwarded-allow-ips so this is the
    # visitor's address, not the proxy's
    return request.client.host if request.client else "unknown"


@public_router.post(
    "/public/{workspace_slug}/tickets",
    status_code=201,
    operation_id="forms:submit",
    responses=problems(400, 403, 404, 413, 415, 422, 429),
)
async def submit_form(
    workspace_slug: str, data: FormSubmission, request: Request, session: SessionDep
) -> FormReceipt:
    """The website's contact form: no token; rate limited per client IP (429 + Retry-After).

    The `website` field is a honeypot: when filled in, the answer looks the same (201) but
    nothing is created and `key` is null. An `Idempotency-Key` belongs to one visitor (their
    client address and the email they give): another visitor's same key is another submission.
    """
    workspace = await service.workspace_by_slug(session, workspace_slug)
    if request.state.origin_allowed is False:
        raise Forbidden("This website is not allowed to post to this help desk's form.")
    return await service.submit_form(session, workspace, data, client_ip=_client_ip(request))


@public_router.options(
    "/public/{workspace_slug}/tickets",
    status_code=204,
    operation_id="forms:preflight",
    responses=problems(403, 404),
)
async def preflight(workspace_slug: str, request: Request, session: SessionDep) -> Response:
    """CORS preflight: allowed only for the origins the workspace configured."""
    await service.workspace_by_slug(session, workspace_slug)
    if not request.state.origin_allowed:
        raise Forbidden("This origin may not use this help desk's form.")
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        },
    )


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get(
    "/settings/form",
    operation_id="forms:get_settings",
    tags=["configuration"],
    responses=problems(401, 403),
)
async def get_form_settings(
    request: Request, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> FormSettingsRead:
    return await service.form_settings(session, _settings(request), workspace)


@router.put(
    "/settings/form",
    operation_id="forms:put_settings",
    tags=["configuration"],
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def put_form_settings(
    data: FormSettingsUpdate,
    request: Request,
    session: SessionDep,
    principal: Admin,
    workspace: WorkspaceDep,
) -> FormSettingsRead:
    """Which websites may post the form (CORS origins) and how often one client IP may."""
    return await service.update_form_settings(session, _settings(request), workspace, data)
