from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.webhooks.receiver import serve_app


@pytest.fixture
async def ws_base(app: Any) -> AsyncIterator[str]:
    """The app on a real socket; yields the WebSocket URL of the live-update endpoint."""
    server, task, port = await serve_app(app)
    yield f"ws://127.0.0.1:{port}/api/v1/ws"
    server.should_exit = True
    await task
