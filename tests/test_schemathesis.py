"""Schemathesis over the whole OpenAPI schema, in-process, every check on, as a real agent.

Positive and negative data for every operation; checks include no server errors, documented
status codes and content types, response schemas, negative data rejected, missing auth → 401
and unsupported methods → 405.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.generation.modes import GenerationMode

import tests.schemathesis_hooks  # noqa: F401  (registers the message/rfc822 strategy)
from ticketdesk.app import create_app
from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.migrate import upgrade_async
from ticketdesk.users.schemas import UserCreate
from ticketdesk.users.service import create_user
from ticketdesk.workspaces.service import create_workspace

# the served run (test_schemathesis_served.py) covers the same operations from outside; this one
# keeps PostgreSQL covered. A safety net, not a speed limit: a loaded machine may take minutes.
MAX_EXAMPLES = int(os.environ.get("TICKETDESK_FUZZ_EXAMPLES", "15"))
pytestmark = pytest.mark.timeout(1200)


async def _agent_token(url: str) -> str:
    """A workspace with an agent and a couple of tickets; returns the agent's session token."""
    db = Database(url, pooled=False)
    slug = f"fuzz-{uuid.uuid4().hex[:10]}"
    try:
        async with db.unit_of_work() as session:
            created = await create_workspace(
                session,
                name="Fuzz",
                slug=slug,
                admin_email=f"admin@{slug}.test",
                admin_password="admin-password",
            )
            admin = Principal(
                workspace_id=created.workspace.id,
                kind="user",
                id=created.admin.id,
                name="admin",
                role="admin",
            )
            await create_user(
                session,
                admin,
                UserCreate(
                    email=f"agent@{slug}.test",
                    name="Agent",
                    role="agent",
                    password="agent-password",
                ),
            )
    finally:
        await db.dispose()
    return slug


@pytest.fixture(scope="session")
def fuzz_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite gets a database file of its own: the session app's background jobs live on a
    paused event loop while this synchronous test runs, and one could hold the write lock."""
    if not database_url.startswith("sqlite"):
        return database_url
    data_dir = tmp_path_factory.mktemp("fuzzdb")
    url = f"sqlite+aiosqlite:///{data_dir / 'fuzz.db'}"
    asyncio.run(upgrade_async(Settings(data_dir=data_dir), url))
    return url


@pytest.fixture(scope="session")
def fuzz_app(fuzz_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    database_url = fuzz_database_url
    settings_ = Settings(
        data_dir=tmp_path_factory.mktemp("fuzz"),
        database_url=database_url,
        secret_key="fuzz",
        login_max_failures=1_000_000,
        embedded_jobs=False,
    )
    return create_app(settings_, database=Database(database_url, pooled=False))


@pytest.fixture(scope="session")
def fuzz_token(fuzz_app: Any, fuzz_database_url: str) -> str:
    slug = asyncio.run(_agent_token(fuzz_database_url))
    from starlette.testclient import TestClient

    with TestClient(fuzz_app) as client:
        response = client.post(
            "/api/v1/auth/login",
            json={"email": f"agent@{slug}.test", "password": "agent-password", "workspace": slug},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def test_api_conforms_to_its_schema(
    fuzz_app: Any, fuzz_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Run every Schemathesis phase (examples, coverage, fuzzing, stateful) with every check."""
    # Logging out would revoke the fuzzer's own token and turn every later call into a 401;
    # logout has its own tests.
    config = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", fuzz_app, config=config
    ).exclude(operation_id="auth:logout")
    schema.config.update(headers={"Authorization": f"Bearer {fuzz_token}"})
    schema.config.checks.update(included_check_names=["all"])
    schema.config.generation.update(
        modes=list(GenerationMode), max_examples=MAX_EXAMPLES, deterministic=True
    )
    failures: list[str] = []
    errors: list[str] = []
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status == engine.Status.FAILURE:
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status != engine.Status.FAILURE or check.failure_info is None:
                        continue
                    case = event.recorder.cases[case_id].value
                    failure = check.failure_info.failure
                    interaction = event.recorder.interactions.get(case_id)
                    response = interaction.response if interaction else None
                    got = f"{response.status_code} {response.content[:200]!r}" if response else "-"
                    failures.append(
                        f"{event.label} [{event.phase.value}] {check.name}: {failure.title} "
                        f"— {case.method} {case.formatted_path} query={case.query} "
                        f"body={str(case.body)[:200]!r} → {got} — {failure.message[:300]}"
                    )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "info", event))[:500])
    unique = sorted(set(failures))
    assert not errors, "\n".join(errors)
    assert not unique, f"{len(unique)} schema failures:\n" + "\n".join(unique[:40])
    # a backstop behind the checks: whatever the fuzzer sent, the app logged no crash
    crashes = [r.getMessage() for r in caplog.records if r.name == "ticketdesk.errors"]
    assert not crashes, f"{len(crashes)} unhandled errors (see the captured log)"
