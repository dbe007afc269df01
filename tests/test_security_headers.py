"""Security headers on every response: the SPA's CSP, nosniff, no framing, no referrer, and
no caching of API responses (tokens and private data), refusals before any route included."""

from __future__ import annotations

import httpx

from ticketdesk.app import create_app

BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parsed = [part.split() for part in policy.split(";") if part.strip()]
    return {name: sources for name, *sources in parsed}


def assert_secured(response: httpx.Response) -> None:
    for name, value in BASELINE.items():
        assert response.headers.get_list(name) == [value], name
    csp = directives(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


async def test_tokens_are_never_cached(tenant, client):
    login = await client.post(
        "/auth/login",
        json={"email": f"admin@{tenant.slug}.test", "password": "admin-password"},
    )
    assert login.status_code == 200
    assert login.headers["cache-control"] == "no-store"
    assert_secured(login)
    created = await tenant.post("/api-tokens", json={"name": "ci", "scopes": ["tickets:read"]})
    assert created.status_code == 201 and created.json()["token"].startswith("td_")
    assert created.headers["cache-control"] == "no-store"
    assert_secured(created)


async def test_every_api_answer_carries_them_errors_and_refusals_too(tenant, client):
    ticket = await tenant.get("/tickets")
    unauthenticated = await client.get("/me")
    too_large = await tenant.post(
        "/tickets",
        content=b'{"subject": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert (ticket.status_code, unauthenticated.status_code, too_large.status_code) == (
        200,
        401,
        413,
    )
    for response in (ticket, unauthenticated, too_large):
        assert_secured(response)
        assert response.headers.get_list("cache-control") == ["no-store"]


async def test_a_route_that_sets_its_own_cache_control_keeps_it(tenant):
    export = await tenant.get("/tickets/export.csv")
    assert export.status_code == 200
    assert export.headers.get_list("cache-control") == ["no-store"]  # its own, not doubled
    assert_secured(export)


async def test_the_spa_gets_a_policy_its_build_can_run_under(settings, db, tmp_path):
    """What Vite emits: a module script and a stylesheet from /assets, a data: favicon."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('hi')")
    (tmp_path / "index.html").write_text(
        '<!doctype html><link rel="icon" href="data:image/svg+xml,%3Csvg%3E">'
        '<script type="module" crossorigin src="/assets/index-abc123.js"></script>'
    )
    app = create_app(settings.model_copy(update={"static_dir": tmp_path}), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        page = await c.get("/tickets/TKT-1")  # a client-side route: index.html
        script = await c.get("/assets/index-abc123.js")
        health = await c.get("/healthz")
    assert page.status_code == script.status_code == health.status_code == 200
    for response in (page, script, health):
        assert_secured(response)
    csp = directives(page)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert "'self'" in csp["connect-src"]  # the API and the live-updates socket
    assert {"'self'", "data:"} <= set(csp["img-src"])
    assert page.headers["cache-control"] == "no-cache"  # the SPA's own: a new build shows


async def test_the_api_docs_get_the_same_strict_policy(client):
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert_secured(docs)
    assert directives(docs)["script-src"] == ["'self'"]
