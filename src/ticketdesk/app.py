"""create_app(): routers, middleware, error handlers, the SPA."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import text
from starlette.convertors import Convertor, register_url_convertor
from starlette.staticfiles import StaticFiles

from ticketdesk import __version__
from ticketdesk.attachments.routes import router as attachments_router
from ticketdesk.comments.routes import router as comments_router
from ticketdesk.config import Settings, get_settings
from ticketdesk.configuration.routes import router as configuration_router
from ticketdesk.conversations.routes import router as conversations_router
from ticketdesk.db import Database
from ticketdesk.email import outbound as _email_jobs  # noqa: F401  (registers jobs, observers)
from ticketdesk.email.routes import router as email_router
from ticketdesk.errors import install_error_handlers, problem_response
from ticketdesk.forms.routes import public_router as forms_public_router
from ticketdesk.forms.routes import router as forms_router
from ticketdesk.jobs import InProcessRunner
from ticketdesk.middleware import IdempotencyMiddleware, RequestGuard
from ticketdesk.notifications.routes import router as notifications_router
from ticketdesk.openapi_extras import finish_schema
from ticketdesk.people.routes import router as people_router
from ticketdesk.queue.routes import router as queue_router
from ticketdesk.realtime.routes import router as realtime_router
from ticketdesk.realtime.routes import start_live_updates, stop_live_updates
from ticketdesk.sla.routes import automations_router
from ticketdesk.sla.routes import router as sla_router
from ticketdesk.tickets.routes import router as tickets_router
from ticketdesk.views.routes import router as views_router
from ticketdesk.webhooks.routes import router as webhooks_router
from ticketdesk.webhooks.tasks import start_webhooks, stop_webhooks

API_PREFIX = "/api/v1"

# Paths whose POST body is not JSON (multipart uploads, raw email); they get the upload limit.
RAW_BODY_PATHS = [
    r"^/api/v1/tickets/[^/]+/attachments$",
    r"^/api/v1/tickets/[^/]+/comments/[^/]+/attachments$",
    r"^/api/v1/inbound/email$",
]

Hook = Callable[[FastAPI], Awaitable[None]]

# Rooms that need start-up/shut-down work (the job runner, live updates) register here.
startup_hooks: list[Hook] = [start_webhooks, start_live_updates]
shutdown_hooks: list[Hook] = [stop_webhooks, stop_live_updates]


def api_routers() -> list[APIRouter]:
    return [
        people_router,
        queue_router,  # before tickets: /tickets/bulk and /tickets/export.csv are not keys
        sla_router,
        automations_router,
        tickets_router,
        comments_router,
        configuration_router,
        attachments_router,
        notifications_router,
        views_router,
        webhooks_router,
        realtime_router,
        conversations_router,
        email_router,
        forms_router,
        forms_public_router,
    ]


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = database or Database(settings.resolved_database_url, echo=settings.sql_echo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_jobs(db, settings)
        for hook in startup_hooks:
            await hook(app)
        try:
            yield
        finally:
            for hook in reversed(shutdown_hooks):
                await hook(app)
            await stop_jobs(db)
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="ticketdesk",
        version=__version__,
        description="API-first help-desk ticketing. See the HTTP contract for the rules.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    install_error_handlers(app)

    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return problem_response(503, "Unavailable", "The database does not answer.")
        return JSONResponse({"status": "ok", "version": __version__})

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
    return app


async def start_jobs(db: Database, settings: Settings) -> None:
    """Jobs run in this process unless Redis is configured (then `ticketdesk worker` runs them)."""
    if db.job_runner is not None:
        return
    if settings.redis_url:
        from ticketdesk.worker import ArqRunner

        db.job_runner = ArqRunner(db, settings)
    elif settings.embedded_jobs:
        db.job_runner = InProcessRunner(db, settings)
    else:
        return
    await db.job_runner.start()


async def stop_jobs(db: Database) -> None:
    if db.job_runner is not None:
        await db.job_runner.stop()
        db.job_runner = None


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
