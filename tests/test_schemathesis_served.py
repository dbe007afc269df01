"""Schemathesis from outside: `st run`, every check, against a real `ticketdesk serve`.

A fresh SQLite data directory, a workspace made by the CLI, its admin's session token, and
the schema the server serves: what an integrator fuzzing the product would run. Every phase
(examples, coverage, fuzzing, stateful), every check, responses slower than 10 s fail.
`TICKETDESK_FUZZ_EXAMPLES` raises the examples per operation (default 15, a few minutes).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
MAX_EXAMPLES = os.environ.get("TICKETDESK_FUZZ_EXAMPLES", "15")
SEED = os.environ.get("TICKETDESK_FUZZ_SEED", "20261202")
ADMIN_EMAIL, ADMIN_PASSWORD, SLUG = "admin@fuzz.test", "fuzz-admin-password", "fuzz"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif("sqlite" not in BACKENDS, reason="the served run uses the SQLite default"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETDESK_")}
    env.update(
        TICKETDESK_DATA_DIR=str(data_dir),
        TICKETDESK_SECRET_KEY="fuzz-secret",
        # the fuzzer logs in with wrong passwords too: never lock its admin out
        TICKETDESK_LOGIN_MAX_FAILURES="1000000",
        TICKETDESK_LOGIN_IP_MAX_FAILURES="1000000",
        TICKETDESK_INSECURE_FAST_PASSWORD_HASHING="1",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str, Path]]:
    """(base URL, the admin's session token and user id, a directory for logs and reports)."""
    data_dir = tmp_path_factory.mktemp("served")
    env = _env(data_dir)
    created = subprocess.run(
        [sys.executable, "-m", "ticketdesk", "workspace", "create", "--name", "Fuzz"]
        + ["--slug", SLUG, "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (data_dir / "server.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "ticketdesk serve did not start"
            time.sleep(0.2)
        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "workspace": SLUG},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        yield base, login.json()["access_token"], login.json()["user"]["id"], data_dir
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


def _failures(report: Path) -> list[str]:
    """One line per failed check in the JUnit report: operation, then what went wrong."""
    lines = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for failure in [*case.findall("failure"), *case.findall("error")]:
            text = " ".join((failure.get("message") or failure.text or "").split())
            lines.append(f"{case.get('name')}: {text[:600]}")
    return lines


def test_served_api_conforms_to_its_schema(served: tuple[str, str, str, Path]) -> None:
    base, token, user_id, data_dir = served
    reports = data_dir / "reports"
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--no-color",
        "--config-file",
        str(ROOT / "tests" / "schemathesis.toml"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        # logging out would revoke the fuzzer's own session; logout has its own tests
        "--exclude-operation-id",
        "auth:logout",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--max-response-time",
        "10",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-junit-path",
        str(reports / "junit.xml"),
    ]
    run = subprocess.run(
        command,
        cwd=ROOT,
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
            "TICKETDESK_FUZZ_USER_ID": user_id,
        },
        capture_output=True,
        text=True,
        timeout=840,
    )
    (data_dir / "st.out").write_text(run.stdout + run.stderr)
    failures = _failures(reports / "junit.xml") if (reports / "junit.xml").exists() else []
    summary = "\n".join(run.stdout.splitlines()[-25:])
    assert run.returncode == 0 and not failures, (
        f"st run exited {run.returncode} with {len(failures)} failures "
        f"(full output: {data_dir / 'st.out'}):\n" + "\n".join(failures[:40]) + "\n" + summary
    )
    # a backstop behind the checks: whatever the fuzzer sent, the server logged no crash
    crashes = (data_dir / "server.log").read_text(errors="replace").count("unhandled error")
    assert crashes == 0, f"{crashes} unhandled errors in {data_dir / 'server.log'}"
