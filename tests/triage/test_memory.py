"""An API process pays for the learning (scikit-learn, SciPy, NumPy: some 100 MB) only once
a workspace has a model to serve: not at start, not for creates, reads or insights."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import asyncio, os, sys, tempfile
os.environ["TICKETDESK_DATA_DIR"] = tempfile.mkdtemp()
os.environ.pop("TICKETDESK_DATABASE_URL", None)
os.environ["TICKETDESK_EMBEDDED_JOBS"] = "false"
import httpx
from ticketdesk.app import create_app
from ticketdesk.cli import main as cli

LEARNING = ("sklearn", "scipy", "numpy", "onnxruntime")

async def run():
    app = create_app()
    print("start", sorted(m for m in LEARNING if m in sys.modules))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as client:
            login = await client.post("/auth/login", json={
                "email": "admin@demo.test", "password": "demo-password", "workspace": "demo"})
            auth = {"Authorization": "Bearer " + login.json()["access_token"]}
            made = await client.post("/tickets", headers=auth, json={
                "subject": "Refund please", "requester": {"email": "pat@example.com"}})
            key = made.json()["key"]
            await client.get("/tickets/" + key, headers=auth)
            insights = await client.get("/tickets/" + key + "/insights", headers=auth)
            print("insights", insights.status_code)
    print("served", sorted(m for m in LEARNING if m in sys.modules))

sys.argv = ["ticketdesk", "seed", "--tickets", "3"]
try:
    cli()
except SystemExit:
    pass
asyncio.run(run())
"""


def test_an_api_without_a_model_loads_no_learning_library() -> None:
    # a fresh interpreter: this test process has imported the learning for other tests
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert "start []" in lines
    assert "insights 409" in lines  # no model yet: said so, nothing loaded to say it
    assert lines[-1] == "served []"
