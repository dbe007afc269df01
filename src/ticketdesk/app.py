"""create_app(): routers, middleware, error handlers, the SPA."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import text
from starlette.convertors import Convertor, register_url_convertor
from starlette.staticfiles import StaticFiles

from ticketdesk import __version__, wiring
from ticketdesk.api_docs import install_api_docs
from ticketdesk.api_tokens.routes import router as api_tokens_router
from ticketdesk.approvals.routes import router as approvals_router
from ticketdesk.attachments.routes import router as attachments_router
from ticketdesk.automations.routes import router as automations_router
from ticketdesk.bulk.routes import router as bulk_router
from ticketdesk.comments.routes import router as comments_router
from ticketdesk.config import Settings, get_settings
from ticketdesk.conversations.routes import router as conversations_router
from ticketdesk.csat.routes import pages_router as csat_pages_router
from ticketdesk.csat.routes import router as csat_router
from ticketdesk.db import Database
from ticketdesk.email.routes import router as email_router
from ticketdesk.errors import install_error_handlers, problem_response
from ticketdesk.exports.routes import router as exports_router
from ticketdesk.fields.routes import router as fields_router
from ticketdesk.forms.routes import public_router as forms_public_router
from ticketdesk.forms.routes import router as forms_router
from ticketdesk.imports.routes import router as imports_router
from ticketdesk.labels.routes import router as labels_router
from ticketdesk.links.routes import router as links_router
from ticketdesk.macros.routes import router as macros_router
from ticketdesk.merges.routes import router as merges_router
from ticketdesk.middleware import IdempotencyMiddleware, RequestGuard
from ticketdesk.notifications.routes import router as notifications_router
from ticketdesk.openapi import finish_schema
from ticketdesk.query_params import check_parameters
from ticketdesk.realtime.routes import router as realtime_router
from ticketdesk.reports.routes import router as reports_router
from ticketdesk.security_headers import SecurityHeaders
from ticketdesk.sessions.routes import router as sessions_router
from ticketdesk.sessions.throttle import login_throttle
from ticketdesk.sla.routes import router as sla_router
from ticketdesk.statuses.routes import router as statuses_router
from ticketdesk.teams.routes import router as teams_router
from ticketdesk.ticket_types.routes import router as ticket_types_router
from ticketdesk.tickets.routes import router as tickets_router
from ticketdesk.users.routes import router as users_router
from ticketdesk.views.routes import router as views_router
from ticketdesk.watchers.routes import router as watchers_router
from ticketdesk.webhooks.routes import router as webhooks_router
from ticketdesk.workspaces.routes import router as workspaces_router

API_PREFIX = "/api/v1"

# Paths whose POST body is not JSON (multipart uploads, raw email); they get the upload limit.
RAW_BODY_PATHS = [
    r"^/api/v1/tickets/[^/]+/attachments$",
    r"^/api/v1/tickets/[^/]+/comments/[^/]+/attachments$",
    r"^/api/v1/inbound/email$",
]


def api_routers() -> list[APIRouter]:
    return [
        sessions_router,
        users_router,
        teams_router,
        api_tokens_router,
        # before tickets: /tickets/bulk and /tickets/export.csv are not keys
        bulk_router,
        exports_router,
        merges_router,
        links_router,
        watchers_router,
        sla_router,
        automations_router,
        imports_router,  # before tickets: /tickets/import is not a key
        tickets_router,
        comments_router,
        macros_router,
        statuses_router,
        fields_router,
        ticket_types_router,
        approvals_router,
        labels_router,
        workspaces_router,
        attachments_router,
        notifications_router,
        views_router,
        reports_router,
        webhooks_router,
        realtime_router,
        conversations_router,
        email_router,
        forms_router,
        forms_public_router,
        csat_router,
    ]


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    wiring.register()
    db = database or Database(settings.resolved_database_url, echo=settings.sql_echo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with wiring.running(db, settings) as running:
                app.state.broker = running.broker
                yield
        finally:
            await app.state.login_throttle.aclose()
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="ticketdesk",
        version=__version__,
        description="API-first help-desk ticketing. See the HTTP contract for the rules.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from our own assets: install_api_docs
        redoc_url=None,
        # every route first refuses unknown query parameters and NUL in its URL and headers
        dependencies=[Depends(check_parameters)],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.login_throttle = login_throttle(db, settings)
    install_error_handlers(app)

    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(csat_pages_router)  # /survey/<token>: before the SPA's catch-all

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return problem_response(503, "Unavailable", "The database does not answer.")
        return JSONResponse({"status": "ok", "version": __version__})

    install_api_docs(app, f"{API_PREFIX}/docs")
    mount_spa(app, settings)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_schema(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    app.add_middleware(IdempotencyMiddleware, db=lambda: app.state.db)
    app.add_middleware(
        RequestGuard,
        json_limit=settings.json_body_max_bytes,
        upload_limit=settings.attachment_max_bytes + 64 * 1024,
        raw_body_paths=RAW_BODY_PATHS,
    )
    # outermost: every response gets the headers, the guards' refusals too
    app.add_middleware(SecurityHeaders, api_prefix=API_PREFIX)
    return app


class SpaPathConvertor(Convertor[str]):
    """Any path outside the API, so unknown API paths stay 404/405 problems."""

    regex = r"(?!api/|healthz).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("spa", SpaPathConvertor())


def mount_spa(app: FastAPI, settings: Settings) -> None:
    """Serve the built SPA at `/`, with index.html for its client-side routes."""
    static_dir = settings.static_dir or Path(__file__).parent / "static"
    index = static_dir / "index.html"
    if not index.exists():

        @app.get("/", include_in_schema=False)
        async def no_spa() -> JSONResponse:
            return JSONResponse(
                {
                    "name": "ticketdesk",
                    "api": API_PREFIX,
                    "docs": f"{API_PREFIX}/docs",
                    "spa": "not built (run the README's first command)",
                }
            )

        return
    if (static_dir / "assets").exists():
        app.mount("/assets", StaticFiles(directory=static_dir / "assets"), name="assets")

    @app.get("/{path:spa}", include_in_schema=False)
    async def spa(path: str) -> Any:
        candidate = (static_dir / path).resolve()
        if path and candidate.is_file() and static_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
