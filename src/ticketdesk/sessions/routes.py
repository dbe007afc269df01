"""HTTP for logging in and out, and for who the caller is (GET /me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ticketdesk.auth.principal import Principal, get_principal
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.sessions import service
from ticketdesk.sessions.schemas import LoginRequest, LoginResponse, MeRead

router = APIRouter(tags=["auth"])

# any valid token, whatever its role or scopes: logging out and /me need nothing more
Authenticated = Annotated[Principal, Depends(get_principal)]


_THROTTLED = {
    **problems(429)[429],
    "description": "Too many failed logins from this client IP, or for this email from this "
    "IP: wait `Retry-After` seconds. Nothing was checked.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before the next attempt.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


@router.post(
    "/auth/login",
    operation_id="auth:login",
    responses={**problems(400, 401, 413, 415, 422), 429: _THROTTLED},
)
async def login(data: LoginRequest, request: Request, session: SessionDep) -> LoginResponse:
    """Exchange email and password for an opaque session token (`Cache-Control: no-store`).

    Failed attempts are throttled, counted before the password is checked: after
    `TICKETDESK_LOGIN_MAX_FAILURES` (5) failures for one email from one client IP, that email
    waits from that IP (60 s, then doubling, up to the 15-minute window) while logins from
    elsewhere are unaffected, so nobody can lock another user out. One IP failing
    `TICKETDESK_LOGIN_IP_MAX_FAILURES` (50) times in the window, over any emails, is refused
    for a window. A refusal is a 429 with `Retry-After`; a successful login resets its email's
    count from that IP.
    """
    settings: Settings = request.app.state.settings
    return await service.login(
        request.app.state.db,
        session,
        settings,
        request.app.state.login_throttle,
        email=data.email,
        password=data.password,
        workspace_slug=data.workspace,
        client_ip=request.client.host if request.client else None,
    )


@router.post("/auth/logout", status_code=204, operation_id="auth:logout", responses=problems(401))
async def logout(session: SessionDep, principal: Authenticated) -> Response:
    """Revoke the session token used for this request."""
    await service.logout(session, principal)
    return Response(status_code=204)


@router.get("/me", operation_id="me:get", responses=problems(401))
async def me(request: Request, session: SessionDep, principal: Authenticated) -> MeRead:
    """Who the caller is, and what the server can do for them (whether it sends email)."""
    settings: Settings = request.app.state.settings
    return await service.me(session, principal, email_sending=bool(settings.smtp_url))
