"""Every route dependency is a coroutine: FastAPI hands a plain-function dependency to a worker
thread, a thread hop on every request that uses it (the list route had two)."""

from __future__ import annotations

import inspect
from typing import Any

from ticketdesk.app import create_app


def _dependencies(dependant: Any, found: dict[str, Any]) -> None:
    for sub in dependant.dependencies:
        if sub.call is not None:
            found.setdefault(f"{sub.call.__module__}.{sub.call.__qualname__}", sub.call)
        _dependencies(sub, found)


def test_no_route_dependency_runs_in_a_worker_thread(tmp_path, monkeypatch):
    monkeypatch.setenv("TICKETDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/deps.db")
    app = create_app()
    found: dict[str, Any] = {}
    routes = 0
    for route in app.routes:
        for inner in getattr(getattr(route, "original_router", None), "routes", [route]):
            if getattr(inner, "dependant", None) is not None:
                routes += 1
                _dependencies(inner.dependant, found)
    assert routes > 100 and "ticketdesk.tickets.filters.ticket_filters_of_request" in found
    plain = sorted(
        name
        for name, call in found.items()
        if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call))
    )
    assert plain == []
