from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support import Tenant
from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database

LIMIT = 1000


@pytest.fixture(scope="session")
def upload_dir(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture
async def small(
    tenant: Tenant, settings: Settings, db: Database, upload_dir: Path
) -> AsyncIterator[Tenant]:
    """The same tenant, talking to an app whose attachment limit is 1,000 bytes."""
    small_settings = settings.model_copy(
        update={"attachment_max_bytes": LIMIT, "data_dir": upload_dir}
    )
    app = create_app(small_settings, database=db)  # no lifespan: the session app runs the jobs
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as c:
        yield Tenant(
            client=c,
            slug=tenant.slug,
            workspace_id=tenant.workspace_id,
            tokens=tenant.tokens,
            users=tenant.users,
        )
