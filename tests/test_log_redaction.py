"""A token never reaches the log: `ticketdesk serve` redacts the WebSocket's `?token=` (and any
bearer token in a URL) from its access and connection lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from uvicorn.logging import AccessFormatter
from websockets.asyncio.client import connect

from ticketdesk.log_redaction import REDACTED, RedactTokens, serve_log_config

SRC = Path(__file__).resolve().parents[1] / "src"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETDESK_")}
    env.update(
        PYTHONPATH=str(SRC),
        TICKETDESK_DATA_DIR=str(data_dir),
        TICKETDESK_INSECURE_FAST_PASSWORD_HASHING="1",
    )
    return env


async def test_the_served_access_log_never_shows_a_token(tmp_path):
    env = _env(tmp_path / "data")
    created = subprocess.run(
        [sys.executable, "-m", "ticketdesk", "workspace", "create", "--name", "Logs"]
        + ["--admin-email", "a@logs.test", "--admin-password", "logs-password"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--port", "0"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # generous: a loaded machine starts slowly
        base = ""
        while not base:
            bound = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text())
            if bound:
                base = bound[1]
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"server did not come up: {log.read_text()}"
            await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=60) as client:
            while True:
                try:
                    login = await client.post(
                        "/auth/login", json={"email": "a@logs.test", "password": "logs-password"}
                    )
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    await asyncio.sleep(0.2)
            token = login.json()["access_token"]
            # a client that puts the token where it does not belong: that line is redacted too
            stray = await client.get(f"/me?token={token}&x=1")
            assert stray.status_code == 401
        socket_url = base.replace("http", "ws") + f"/api/v1/ws?token={token}"
        async with connect(socket_url) as socket:
            await socket.send(json.dumps({"type": "ping"}))
            assert json.loads(await socket.recv()) == {"type": "pong"}
    finally:
        server.terminate()
        server.wait(timeout=60)
    served = log.read_text()
    assert token not in served
    assert token[4:20] not in served  # not even a part of it
    assert f'"WebSocket /api/v1/ws?token={REDACTED}" [accepted]' in served
    assert f'"GET /api/v1/me?token={REDACTED}&x=1 HTTP/1.1" 401' in served
    assert '"POST /api/v1/auth/login HTTP/1.1" 200' in served  # the access log still logs


def test_every_handler_of_the_serve_configuration_redacts():
    config = serve_log_config()
    assert config["handlers"]
    for handler in config["handlers"].values():
        assert "redact_tokens" in handler["filters"]
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/ws?a=1&token=tds_secret&b=2", "1.1", 101),
        None,
    )
    RedactTokens().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert f'"GET /api/v1/ws?a=1&token={REDACTED}&b=2 HTTP/1.1"' in line
    assert "secret" not in line
    bare = logging.LogRecord("x", logging.WARNING, __file__, 1, "got %s", ("td_" + "A" * 43,), None)
    RedactTokens().filter(bare)
    assert bare.getMessage() == f"got td_{REDACTED}"


def test_survey_tokens_in_paths_are_redacted():
    token = "Xy3_" + "a" * 39
    for path, kept in (
        (f"/survey/{token}?saved=1", "/survey/"),
        (f"/api/v1/public/surveys/{token}", "/api/v1/public/surveys/"),
    ):
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "POST", path, "1.1", 200),
            None,
        )
        RedactTokens().filter(record)
        access = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')
        line = access.format(record)
        assert f"{kept}{REDACTED}" in line
        assert token not in line
