"""The `ticketdesk` command as an operator uses it: real processes, the embedded default."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SRC = Path(__file__).resolve().parents[1] / "src"


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ticketdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETDESK_")}
    env.update(
        PYTHONPATH=str(SRC),
        TICKETDESK_DATA_DIR=str(data_dir),
        TICKETDESK_INSECURE_FAST_PASSWORD_HASHING="1",
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_workspace_create_prints_the_contracts_json(tmp_path):
    env = cli_env(tmp_path)
    result = run_cli(
        "workspace",
        "create",
        "--name",
        "Acme Support",
        "--admin-email",
        "Boss@Acme.test",
        "--admin-password",
        "s3cret-pass",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(body) == {"workspace", "admin"}
    assert set(body["workspace"]) == {"id", "slug", "name", "ticket_prefix"}
    assert body["workspace"]["slug"] == "acme-support"
    assert body["workspace"]["ticket_prefix"] == "TKT"
    assert body["admin"]["email"] == "boss@acme.test"
    again = run_cli(
        "workspace",
        "create",
        "--name",
        "Acme Support",
        "--admin-email",
        "x@acme.test",
        "--admin-password",
        "s3cret-pass",
        env=env,
    )
    assert again.returncode == 1
    assert "exists already" in again.stderr
    weak = run_cli(
        "workspace",
        "create",
        "--name",
        "Other",
        "--admin-email",
        "x@acme.test",
        "--admin-password",
        "short",
        env=env,
    )
    assert weak.returncode == 1


def test_serve_on_the_embedded_default_migrates_and_serves(tmp_path):
    env = cli_env(tmp_path / "data")
    created = run_cli(
        "workspace",
        "create",
        "--name",
        "Demo",
        "--admin-email",
        "a@demo.test",
        "--admin-password",
        "demo-password",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    # port 0: the server binds a free port itself (one picked here first could be taken by
    # then), and its start line names it
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--port", "0"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # generous: a loaded machine starts slowly
        while True:
            bound = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text())
            try:
                if bound and httpx.get(f"{bound[1]}/healthz", timeout=10).status_code == 200:
                    base = bound[1]
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"server did not come up: {log.read_text()}"
            time.sleep(0.2)
        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": "a@demo.test", "password": "demo-password"},
            timeout=60,  # httpx's default 5 s is too little on a loaded machine
        )
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created_ticket = httpx.post(
            f"{base}/api/v1/tickets", json={"subject": "Hi"}, headers=headers, timeout=60
        )
        assert created_ticket.status_code == 201
        assert created_ticket.json()["key"] == "TKT-1"
        assert (tmp_path / "data" / "ticketdesk.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_seed_fills_a_demo_workspace(tmp_path):
    env = cli_env(tmp_path)
    result = run_cli("seed", "--tickets", "120", "--batch-size", "50", env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["tickets"] == 120 and summary["admin_email"] == "admin@demo.test"


def test_seed_fills_a_workspace_made_by_workspace_create(tmp_path):
    env = cli_env(tmp_path)
    created = run_cli(
        "workspace",
        "create",
        "--name",
        "Acme",
        "--admin-email",
        "boss@acme.test",
        "--admin-password",
        "boss-password",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    seeded = run_cli("seed", "--workspace", "acme", "--tickets", "50", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert json.loads(seeded.stdout.strip().splitlines()[-1]) == {
        "workspace": "acme",
        "tickets": 50,
    }


def test_seed_never_prints_the_password(tmp_path):
    secret = "unguessable-Pa55word"
    env = cli_env(tmp_path)
    seeded = run_cli("seed", "--tickets", "5", "--admin-password", secret, env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert json.loads(seeded.stdout.strip().splitlines()[-1])["admin_email"] == "admin@demo.test"
    assert secret not in seeded.stdout + seeded.stderr
    # nor does a crash's traceback (here: no database to reach) show it among the locals
    env["TICKETDESK_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    crashed = run_cli("seed", "--tickets", "5", "--admin-password", secret, env=env)
    assert crashed.returncode != 0
    assert "Traceback" in crashed.stderr or "Error" in crashed.stderr
    assert secret not in crashed.stdout + crashed.stderr


def test_serve_keeps_the_embedded_default_to_one_process_and_says_why(tmp_path):
    env = cli_env(tmp_path)
    embedded = run_cli("serve", "--workers", "2", env=env)
    assert embedded.returncode == 2
    assert "one process only" in embedded.stderr and "SQLite" in embedded.stderr
    without_redis = run_cli(
        "serve",
        "--workers",
        "2",
        env={**env, "TICKETDESK_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1/test"},
    )
    assert without_redis.returncode == 2 and "TICKETDESK_REDIS_URL" in without_redis.stderr
    assert not (tmp_path / "ticketdesk.db").exists()  # refused before migrating anything
