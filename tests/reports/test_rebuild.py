"""A rebuild from the event log gives exactly the numbers incremental upkeep gave: the metrics
rows and every rollup cell, after random sequences of operations (hypothesis), and the
`ticketdesk reports rebuild` command does it with a progress bar."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from tests.conftest import make_tenant, own_sqlite_file, served
from tests.reports.helpers import rebuild, snapshot
from ticketdesk.config import Settings

which = st.integers(min_value=0, max_value=7)
OPERATION = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["low", "normal", "urgent"]), st.booleans()),
    st.tuples(st.just("import"), st.integers(min_value=1, max_value=400), st.booleans()),
    st.tuples(st.just("reply"), which),
    st.tuples(st.just("note"), which),
    st.tuples(st.just("solve"), which),
    st.tuples(st.just("close"), which),
    st.tuples(st.just("reopen"), which),
    st.tuples(st.just("wait"), which),
    st.tuples(st.just("assign"), which, st.booleans()),
    st.tuples(st.just("priority"), which, st.sampled_from(["low", "high"])),
    st.tuples(st.just("labels"), which, st.sampled_from([[], ["a"], ["a", "b"]])),
    st.tuples(st.just("merge"), which, which),
    st.tuples(st.just("bulk"), st.sampled_from(["resolved", "open", "waiting"])),
)


async def _apply(tenant: Any, keys: list[str], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "create":
        body = {"subject": "R", "priority": op[1], "labels": ["a"] if op[2] else []}
        keys.append((await tenant.post("/tickets", json=body)).json()["key"])
        return
    if kind == "import":
        comments = (
            [
                {
                    "body": "x",
                    "created_at": f"2026-11-20T{8 + op[1] // 60 % 12:02d}:{op[1] % 60:02d}:00Z",
                    "author_email": tenant.users["agent"]["email"],
                }
            ]
            if op[2]
            else []
        )
        body = {"subject": "I", "created_at": "2026-11-20T07:00:00Z", "comments": comments}
        keys.append((await tenant.post("/tickets/import", json=body)).json()["key"])
        return
    if not keys:
        return
    key = keys[op[1] % len(keys)] if kind != "bulk" else ""
    patches = {
        "solve": {"status": "resolved"},
        "close": {"status": "closed"},
        "reopen": {"status": "open"},
        "wait": {"status": "waiting"},
    }
    if kind in patches:
        response = await tenant.patch(f"/tickets/{key}", json=patches[kind])
    elif kind in ("reply", "note"):
        visibility = "public" if kind == "reply" else "internal"
        response = await tenant.post(
            f"/tickets/{key}/comments", json={"body": "b", "visibility": visibility}, role="agent"
        )
    elif kind == "assign":
        assignee = tenant.users["agent"]["id"] if op[2] else None
        response = await tenant.patch(f"/tickets/{key}", json={"assignee_id": assignee})
    elif kind == "priority":
        response = await tenant.patch(f"/tickets/{key}", json={"priority": op[2]})
    elif kind == "labels":
        response = await tenant.patch(f"/tickets/{key}", json={"labels": op[2]})
    elif kind == "merge":
        into = keys[op[2] % len(keys)]
        response = await tenant.post(f"/tickets/{key}/merge", json={"into": into})
    else:
        response = await tenant.post(
            "/tickets/bulk", json={"tickets": keys, "changes": {"status": op[1]}}
        )
    assert response.status_code < 500, response.text


async def _scenario(config: Settings, operations: list[tuple[Any, ...]]) -> None:
    async with served(config) as (db, client):
        tenant = await make_tenant(db, client, name="Fuzz")
        await tenant.add_user("agent", "Ann Agent")
        keys: list[str] = []
        for op in operations:
            await _apply(tenant, keys, op)
        incremental = await snapshot(db, tenant.workspace_id)
        await rebuild(db, tenant.workspace_id)
        rebuilt = await snapshot(db, tenant.workspace_id)
        assert rebuilt == incremental
        assert len(incremental[0]) == len(keys)


@pytest.fixture(scope="session")
def own_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return own_sqlite_file(settings, tmp_path_factory, "reports-fuzz")


def test_rebuild_equals_incremental_after_random_operations(own_settings: Settings) -> None:
    @settings_for_fuzz
    @given(operations=st.lists(OPERATION, min_size=1, max_size=18))
    def check(operations: list[tuple[Any, ...]]) -> None:
        asyncio.run(_scenario(own_settings, operations))

    check()


settings_for_fuzz = fuzz_settings(
    max_examples=int(os.environ.get("TICKETDESK_REPORTS_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


async def test_the_rebuild_command_prints_a_summary(settings: Settings, tenant) -> None:
    await tenant.create_ticket(subject="Counted")
    env = {
        **os.environ,
        "TICKETDESK_DATABASE_URL": settings.resolved_database_url,
        "TICKETDESK_DATA_DIR": str(settings.data_dir),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ticketdesk", "reports", "rebuild", "--workspace", tenant.slug],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["workspaces"] == 1 and summary["tickets"] == 1
    missing = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ticketdesk", "reports", "rebuild", "--workspace", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert missing.returncode == 1 and "no workspace" in missing.stderr
