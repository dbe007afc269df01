"""The `ticketdesk` command: serve, worker, migrate, workspace create, seed."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from ticketdesk.config import get_settings

# no local variables in a crash's traceback: they hold passwords (`seed`, `workspace create`)
cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="ticketdesk help desk",
    pretty_exceptions_show_locals=False,
)
workspace_cli = typer.Typer(no_args_is_help=True, help="Manage workspaces.")
cli.add_typer(workspace_cli, name="workspace")
reports_cli = typer.Typer(no_args_is_help=True, help="Report metrics and rollups.")
cli.add_typer(reports_cli, name="reports")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="API processes (needs Redis when > 1).")] = 1,
) -> None:
    """Run the API (and the built SPA at /). Migrates the embedded database on start."""
    import uvicorn

    from ticketdesk import migrate
    from ticketdesk.log_redaction import serve_log_config

    settings = get_settings()
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        typer.echo(
            "one process only: "
            + (
                "the embedded SQLite database takes one writer at a time, so more processes "
                "would only queue on its lock"
                if settings.is_sqlite
                else "without TICKETDESK_REDIS_URL each process would run the timers and "
                "automations itself and keep live updates to its own clients"
            )
            + ". More processes need PostgreSQL (TICKETDESK_DATABASE_URL) and Redis "
            "(TICKETDESK_REDIS_URL, with `ticketdesk worker` running the jobs).",
            err=True,
        )
        raise typer.Exit(2)
    migrate.upgrade(settings)
    uvicorn.run(
        "ticketdesk.main:app",
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level="info",
        log_config=serve_log_config(),  # tokens redacted from every line (the access log too)
        proxy_headers=True,
        # on SIGTERM, requests in flight get 10 s; then the process stops (jobs it ran
        # in-process resume from the outbox and the delivery rows)
        timeout_graceful_shutdown=10,
    )


@cli.command("migrate")
def migrate_command() -> None:
    """Bring the configured database to the newest schema (alembic upgrade head)."""
    from ticketdesk import migrate

    migrate.upgrade(get_settings())
    typer.echo("database is up to date")


@cli.command()
def worker() -> None:
    """Run the background worker (arq on Redis; needs TICKETDESK_REDIS_URL)."""
    settings = get_settings()
    if not settings.redis_url:
        typer.echo(
            "TICKETDESK_REDIS_URL is not set; `ticketdesk serve` runs jobs in-process.", err=True
        )
        raise typer.Exit(2)
    from ticketdesk.worker import run_worker

    run_worker(settings)


@workspace_cli.command("create")
def workspace_create(
    name: Annotated[str, typer.Option(help="Display name.")],
    admin_email: Annotated[str, typer.Option(help="The first admin's email.")],
    admin_password: Annotated[str, typer.Option(help="The first admin's password (8+ chars).")],
    slug: Annotated[str | None, typer.Option(help="URL slug (default: from the name).")] = None,
) -> None:
    """Create a workspace with its first admin; prints one JSON object."""
    from ticketdesk import migrate
    from ticketdesk.db import Database
    from ticketdesk.errors import TicketdeskError
    from ticketdesk.workspaces.service import create_workspace, user_summary, workspace_summary

    settings = get_settings()
    migrate.upgrade(settings)

    async def run() -> dict[str, object]:
        db = Database(settings.resolved_database_url)
        try:
            async with db.unit_of_work() as session:
                created = await create_workspace(
                    session,
                    name=name,
                    admin_email=admin_email,
                    admin_password=admin_password,
                    slug=slug,
                )
                return {
                    "workspace": workspace_summary(created.workspace),
                    "admin": user_summary(created.admin),
                }
        finally:
            await db.dispose()

    try:
        result = asyncio.run(run())
    except TicketdeskError as exc:
        typer.echo(json.dumps({"error": exc.title, "detail": exc.detail}), err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(result))


@cli.command()
def seed(
    tickets: Annotated[int, typer.Option(min=0, help="How many demo tickets.")] = 200,
    workspace: Annotated[
        str, typer.Option(help="Workspace slug (created with demo agents if missing).")
    ] = "demo",
    admin_email: Annotated[
        str, typer.Option(help="The admin of a workspace the seed creates.")
    ] = "admin@demo.test",
    admin_password: Annotated[
        str, typer.Option(help="Their password, also the demo agents' (never printed).")
    ] = "demo-password",
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Tickets per transaction (default: 100 on SQLite, so that a running server "
            "keeps answering; 5000 on PostgreSQL).",
        ),
    ] = None,
    reports: Annotated[
        bool,
        typer.Option(
            help="Compute the reports' metrics and rollups after the seed (off: leave them to "
            "`ticketdesk reports rebuild`, which a benchmark times on its own).",
        ),
    ] = True,
) -> None:
    """Fill a workspace with realistic demo tickets, in batches, with a progress bar.

    A run that fails writes nothing; one interrupted later keeps the batches it committed.
    """
    from ticketdesk import migrate
    from ticketdesk.errors import TicketdeskError
    from ticketdesk.seed import seed_demo

    settings = get_settings()
    migrate.upgrade(settings)
    try:
        summary = asyncio.run(
            seed_demo(
                settings,
                slug=workspace,
                tickets=tickets,
                admin_email=admin_email,
                admin_password=admin_password,
                batch_size=batch_size,
                with_reports=reports,
            )
        )
    except TicketdeskError as exc:
        typer.echo(json.dumps({"error": exc.title, "detail": exc.detail}), err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(summary))


@reports_cli.command("rebuild")
def reports_rebuild(
    workspace: Annotated[
        str | None, typer.Option(help="Workspace slug (default: every workspace).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Tickets per read.")] = 2000,
) -> None:
    """Recompute every ticket's metrics and the daily rollups from the event log.

    One transaction per workspace: reports keep the old numbers until it commits. Prints a
    JSON summary (workspaces, tickets, seconds)."""
    import time

    from ticketdesk import migrate
    from ticketdesk.db import Database
    from ticketdesk.reports import service as reports

    settings = get_settings()
    migrate.upgrade(settings)

    async def run() -> dict[str, object]:
        db = Database(settings.resolved_database_url)
        started = time.monotonic()
        done = 0
        try:
            async with db.unit_of_work() as session:
                workspace_id = None
                if workspace is not None:
                    found = await reports.workspace_by_slug(session, workspace)
                    if found is None:
                        typer.echo(f"no workspace {workspace!r}", err=True)
                        raise typer.Exit(1)
                    workspace_id = found.id
                todo = await reports.workspaces_to_rebuild(session, workspace_id)
            total = sum(count for _, count in todo)
            with typer.progressbar(length=total, label="rebuilding", file=None) as bar:
                for ws, _ in todo:
                    async with db.unit_of_work() as session:
                        done += await reports.rebuild_workspace(
                            session, ws, batch_size=batch_size, progress=bar.update
                        )
            await reports.refresh_statistics(db)
        finally:
            await db.dispose()
        return {
            "workspaces": len(todo),
            "tickets": done,
            "seconds": round(time.monotonic() - started, 1),
        }

    typer.echo(json.dumps(asyncio.run(run())))


@cli.command()
def openapi(
    output: Annotated[str | None, typer.Option(help="default: openapi/openapi.json")] = None,
) -> None:
    """Write the app's OpenAPI document (commit the result; a test compares it to the app)."""
    from pathlib import Path

    from ticketdesk.app import create_app
    from ticketdesk.config import Settings
    from ticketdesk.openapi import OPENAPI_PATH, render

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    path = Path(output) if output else OPENAPI_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(app.openapi()))
    typer.echo(f"wrote {path}")


def main() -> None:
    from ticketdesk import wiring

    wiring.register()  # seeding and imports run the same rules as the API
    cli(prog_name="ticketdesk")


if __name__ == "__main__":
    main()
