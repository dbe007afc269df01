"""The `ticketdesk` command as an operator uses it: real processes, the embedded default."""

from __future__ import annotations

import json
import os
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
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": "a@demo.test", "password": "demo-password"}
        )
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created_ticket = httpx.post(
            f"{base}/api/v1/tickets", json={"subject": "Hi"}, headers=headers
        )
        assert created_ticket.status_code == 201
        assert created_ticket.json()["key"] == "TKT-1"
        assert (tmp_path / "data" / "ticketdesk.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_seed_fills_a_demo_workspace(tmp_path):
    env = cli_env(tmp_path)
    result = run_cli("seed", "--tickets", "120", "--batch-size", "50", env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["tickets"] == 120 and summary["admin_email"] == "admin@demo.test"
