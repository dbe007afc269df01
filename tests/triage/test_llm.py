"""The optional language model, against a real OpenAI-compatible HTTP server of the test's
own on 127.0.0.1: summaries and reply drafts grounded in the ticket, its conversation and
similar solved tickets; unset, 409 llm_not_configured; slow, failing or nonsense answers are a
clear 504 or 502."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import make_tenant
from tests.triage.conftest import KINDS, seed, train
from ticketdesk.app import create_app


class FakeLlm(BaseHTTPRequestHandler):
    """`/ok/…` answers, `/slow/…` waits until the test ends, `/fail/…` is a 500, `/garbage/…`
    answers 200 with something that is not a chat completion."""

    seen: list[dict[str, Any]] = []  # noqa: RUF012 - shared with the test on purpose
    release = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeLlm.seen.append({"path": self.path, "body": body})
        if self.path.startswith("/slow/"):
            FakeLlm.release.wait(30)
            return
        if self.path.startswith("/fail/"):
            self._send(500, b'{"error": "overloaded"}')
            return
        if self.path.startswith("/garbage/"):
            self._send(200, b'{"id": "x", "choices": []}')
            return
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": " Drafted text. "}}
            ],
        }
        self._send(200, json.dumps(answer).encode())

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def llm_server() -> Iterator[str]:
    FakeLlm.release = threading.Event()  # a fresh one per server: the last was set at its end
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLlm)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    FakeLlm.release.set()
    server.shutdown()


@asynccontextmanager
async def desk_with_llm(settings, db, url: str | None) -> AsyncIterator[Any]:
    """A workspace on an app whose language model is `url` (None: unset)."""
    configured = settings.model_copy(
        update={
            "llm_url": url,
            "llm_model": "local-test" if url else None,
            "llm_timeout_seconds": 0.5,
        }
    )
    app = create_app(configured, database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as c:
        yield await make_tenant(db, c)


async def test_the_model_read_says_whether_a_language_model_is_configured(settings, db, llm_server):
    async with desk_with_llm(settings, db, None) as tenant:
        assert (await tenant.get("/triage/model")).json()["llm_configured"] is False
    async with desk_with_llm(settings, db, f"{llm_server}/ok") as tenant:
        model = (await tenant.get("/triage/model")).json()
        assert model["llm_configured"] is True
        assert model["state"] == "none"


async def test_unset_answers_409_llm_not_configured(settings, db):
    async with desk_with_llm(settings, db, None) as tenant:
        ticket = await tenant.create_ticket(subject="Refund please")
        for path in ("summary", "reply-draft"):
            response = await tenant.post(f"/tickets/{ticket['key']}/{path}")
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "llm_not_configured"


async def test_summary_and_draft_are_grounded_in_the_ticket_and_solved_ones(
    settings, db, app, llm_server
):
    """(`app`: the session's app runs the jobs, training among them, on the shared database.)"""
    async with desk_with_llm(settings, db, f"{llm_server}/ok") as tenant:
        await seed(tenant, per_kind=20)
        await train(tenant)
        ticket = await tenant.create_ticket(
            subject="The mobile app crashes when I log in", description="Since this morning."
        )
        await tenant.post(
            f"/tickets/{ticket['key']}/comments",
            json={"body": "Still broken after a restart", "visibility": "public"},
        )
        await tenant.post(
            f"/tickets/{ticket['key']}/comments",
            json={"body": "secret internal note", "visibility": "internal"},
        )
        FakeLlm.seen.clear()
        summary = await tenant.post(f"/tickets/{ticket['key']}/summary")
        assert summary.status_code == 200, summary.text
        assert summary.json()["text"] == "Drafted text."
        draft = await tenant.post(f"/tickets/{ticket['key']}/reply-draft")
        assert draft.status_code == 200, draft.text
        assert draft.json()["text"] == "Drafted text."
    summary_call, draft_call = FakeLlm.seen
    assert summary_call["path"] == "/ok/v1/chat/completions"
    assert summary_call["body"]["model"] == "local-test"
    facts = summary_call["body"]["messages"][-1]["content"]
    assert "The mobile app crashes when I log in" in facts
    assert "Still broken after a restart" in facts
    assert "secret internal note" not in facts
    grounded = draft_call["body"]["messages"][-1]["content"]
    assert KINDS["technical"]["reply"] in grounded  # the reply that solved a similar ticket


@pytest.mark.parametrize(
    ("behaviour", "status", "words"),
    [
        ("slow", 504, "did not answer"),
        ("fail", 502, "HTTP 500"),
        ("garbage", 502, "not a chat completion"),
    ],
)
async def test_upstream_trouble_is_a_clear_gateway_error(
    settings, db, llm_server, behaviour, status, words
):
    async with desk_with_llm(settings, db, f"{llm_server}/{behaviour}") as tenant:
        ticket = await tenant.create_ticket(subject="Refund please")
        response = await tenant.post(f"/tickets/{ticket['key']}/summary")
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.json()["detail"]
        # nothing changed on the ticket
        again = (await tenant.get(f"/tickets/{ticket['key']}")).json()
        assert again["version"] == ticket["version"]
