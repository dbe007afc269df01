"""Test harness: every test runs on SQLite and on PostgreSQL, each in a fresh workspace.

The schema is built once per backend by Alembic. PostgreSQL gets a database of its own per
pytest worker (dropped at the end), so parallel runs never share state. In CI (`CI=true`) a
missing PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid

os.environ.setdefault("TICKETDESK_INSECURE_FAST_PASSWORD_HASHING", "1")
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import Tenant
from ticketdesk import wiring
from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.migrate import upgrade_async
from ticketdesk.workspaces.service import create_workspace

wiring.register()  # services called directly run the same observers as the app

PG_ADMIN_DSN = os.environ.get("TICKETDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [
    b for b in os.environ.get("TICKETDESK_TEST_BACKENDS", "sqlite,postgresql").split(",") if b
]


def service_missing(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


async def create_pg_database() -> tuple[str, str]:
    name = f"td_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        service_missing("PostgreSQL", exc)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


async def drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A `postgresql_only` test (two writers at once, which SQLite cannot have) is left out
    for SQLite rather than skipped: a skip in this suite means a missing service."""
    left_out = [
        item
        for item in items
        if item.get_closest_marker("postgresql_only")
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("database_url") == "sqlite"
    ]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated, empty database of one backend, for the whole session."""
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    settings = Settings(data_dir=data_dir)
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir / 'test.db'}"
        await upgrade_async(settings, url)
        yield url
        return
    name, url = await create_pg_database()
    try:
        await upgrade_async(settings, url)
        yield url
    finally:
        await drop_pg_database(name)


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture(scope="session")
def data_dir(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret",
        webhook_allow_private=True,
        login_max_failures=5,
    )


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.resolved_database_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, db: Database) -> AsyncIterator[Any]:
    application = create_app(settings, database=db)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as c:
        yield c


async def make_tenant(db: Database, client: httpx.AsyncClient, name: str = "Acme") -> Tenant:
    slug = f"{name.lower()}-{uuid.uuid4().hex[:10]}"
    async with db.unit_of_work() as session:
        created = await create_workspace(
            session,
            name=name,
            slug=slug,
            admin_email=f"admin@{slug}.test",
            admin_password="admin-password",
            admin_name="Alice Admin",
        )
    tenant = Tenant(client=client, slug=slug, workspace_id=str(created.workspace.id))
    await tenant.login("admin", f"admin@{slug}.test", "admin-password")
    return tenant


@pytest.fixture
async def tenant(db: Database, client: httpx.AsyncClient) -> Tenant:
    """A fresh workspace with an admin, an agent and a viewer, each logged in."""
    t = await make_tenant(db, client)
    await t.add_user("agent", "Bob Agent")
    await t.add_user("viewer", "Vera Viewer")
    return t


@pytest.fixture
async def other_tenant(db: Database, client: httpx.AsyncClient) -> Tenant:
    """A second, unrelated workspace: its objects must be invisible to `tenant`."""
    t = await make_tenant(db, client, name="Globex")
    await t.add_user("agent", "Olga Other")
    return t


@asynccontextmanager
async def served(config: Settings) -> AsyncIterator[tuple[Database, httpx.AsyncClient]]:
    """An app of its own on `config` and a client to it, for a test that runs its own event
    loop (a hypothesis scenario): the session's app lives on another."""
    db = Database(config.resolved_database_url)
    app = create_app(config, database=db)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver/api/v1"
            ) as client:
                yield db, client
    finally:
        await db.dispose()


def own_sqlite_file(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Settings:
    """`settings`, but on SQLite a database file of the test's own: the session app's jobs sit
    on a paused event loop while a synchronous test runs, maybe holding a lock."""
    if not settings.resolved_database_url.startswith("sqlite"):
        return settings
    data_dir = tmp_path_factory.mktemp(name)
    url = f"sqlite+aiosqlite:///{data_dir / 'fuzz.db'}"
    asyncio.run(upgrade_async(Settings(data_dir=data_dir), url))
    return settings.model_copy(update={"database_url": url, "data_dir": data_dir})
