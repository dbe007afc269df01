"""The website contact form: no token, validated, rate limited per IP, honeypot, CORS."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import Tenant

SITE = "https://www.acme.example"


def submission(**extra: Any) -> dict[str, Any]:
    return {
        "email": "Visitor@Example.com",
        "name": "Vivian",
        "subject": "Question about pricing",
        "description": "Do you offer a discount for schools?",
        **extra,
    }


async def test_form_opens_a_form_ticket_without_a_token(tenant: Tenant) -> None:
    response = await tenant.client.post(f"/public/{tenant.slug}/tickets", json=submission())
    assert response.status_code == 201, response.text
    key = response.json()["key"]
    ticket = (await tenant.get(f"/tickets/{key}")).json()
    assert ticket["channel"] == "form"
    assert ticket["requester"]["email"] == "visitor@example.com"
    assert ticket["requester"]["name"] == "Vivian"
    assert ticket["description"] == "Do you offer a discount for schools?"
    created = (await tenant.get(f"/tickets/{key}/activity?type=ticket.created")).json()
    assert created["items"][0]["actor"]["kind"] == "contact"


async def test_validation_and_unknown_workspace(tenant: Tenant) -> None:
    for bad in (
        submission(email="not an email"),
        submission(subject=""),
        submission(description=""),
        submission(extra_field=1),
        {"email": "a@b.example"},
    ):
        response = await tenant.client.post(f"/public/{tenant.slug}/tickets", json=bad)
        assert response.status_code == 422, bad
    unknown = await tenant.client.post("/public/no-such-desk/tickets", json=submission())
    assert unknown.status_code == 404
    assert (await tenant.get("/tickets")).json()["items"] == []


async def test_honeypot_answers_like_success_but_creates_nothing(tenant: Tenant) -> None:
    response = await tenant.client.post(
        f"/public/{tenant.slug}/tickets", json=submission(website="http://spam.example")
    )
    assert response.status_code == 201
    assert response.json() == {"key": None}
    assert (await tenant.get("/tickets")).json()["items"] == []


async def test_rate_limit_per_client_ip(tenant: Tenant, other_tenant: Tenant) -> None:
    put = await tenant.put("/settings/form", json={"rate_limit": 2, "rate_window_minutes": 60})
    assert put.status_code == 200, put.text
    url = f"/public/{tenant.slug}/tickets"
    assert (await tenant.client.post(url, json=submission())).status_code == 201
    # the honeypot counts too: bots must not get unlimited tries
    assert (await tenant.client.post(url, json=submission(website="x"))).status_code == 201
    limited = await tenant.client.post(url, json=submission())
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 3600
    assert len((await tenant.get("/tickets")).json()["items"]) == 1
    # another workspace's form has its own budget
    theirs = await other_tenant.client.post(
        f"/public/{other_tenant.slug}/tickets", json=submission()
    )
    assert theirs.status_code == 201


async def test_cors_only_for_configured_origins(tenant: Tenant) -> None:
    url = f"/public/{tenant.slug}/tickets"
    preflight_headers = {"Origin": SITE, "Access-Control-Request-Method": "POST"}
    before = await tenant.client.options(url, headers=preflight_headers)
    assert before.status_code == 403
    assert "access-control-allow-origin" not in before.headers

    put = await tenant.put("/settings/form", json={"allowed_origins": [SITE + "/"]})
    assert put.status_code == 200
    assert put.json()["allowed_origins"] == [SITE]
    assert (
        await tenant.put("/settings/form", json={"allowed_origins": ["acme"]})
    ).status_code == 422
    assert (await tenant.get("/settings/form", role="agent")).status_code == 403

    preflight = await tenant.client.options(url, headers=preflight_headers)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SITE
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]

    ok = await tenant.client.post(url, json=submission(), headers={"Origin": SITE})
    assert ok.status_code == 201
    assert ok.headers["access-control-allow-origin"] == SITE
    # errors carry the header too, so the page can show them
    invalid = await tenant.client.post(url, json=submission(email="x"), headers={"Origin": SITE})
    assert invalid.status_code == 422
    assert invalid.headers["access-control-allow-origin"] == SITE

    evil = await tenant.client.post(
        url, json=submission(), headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    assert "access-control-allow-origin" not in evil.headers
    evil_preflight = await tenant.client.options(
        url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert evil_preflight.status_code == 403
    assert "access-control-allow-origin" not in evil_preflight.headers
    missing = await tenant.client.options("/public/no-such-desk/tickets", headers=preflight_headers)
    assert missing.status_code == 404


async def test_form_settings_show_defaults_and_where_the_form_posts(tenant: Tenant) -> None:
    got = await tenant.get("/settings/form")
    assert got.status_code == 200, got.text
    assert got.json() == {
        "allowed_origins": [],
        "rate_limit": 10,
        "rate_window_minutes": 10,
        "url": got.json()["url"],
    }
    assert got.json()["url"].endswith(f"/api/v1/public/{tenant.slug}/tickets")
    put = await tenant.put(
        "/settings/form",
        json={"allowed_origins": ["https://b.example", "https://a.example", "https://b.example"]},
    )
    assert put.status_code == 200, put.text
    assert put.json() == {
        **got.json(),
        "allowed_origins": ["https://a.example", "https://b.example"],
    }
    assert (await tenant.get("/settings/form")).json() == put.json()


async def test_idempotency_keys_are_scoped_per_visitor(app: Any, tenant: Tenant) -> None:
    """Anonymous visitors share no idempotency scope: one visitor's key neither blocks nor
    replays another's (the client address and the email they give tell visitors apart)."""
    url = f"/public/{tenant.slug}/tickets"
    key = {"Idempotency-Key": "contact-form-1"}  # a site that numbers its submissions

    def visitor(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1")

    async with (
        visitor("203.0.113.10") as ann,
        visitor("198.51.100.20") as bob,
        visitor("192.0.2.30") as cid,
    ):
        first = await ann.post(url, json=submission(email="ann@example.com"), headers=key)
        assert first.status_code == 201, first.text
        # another visitor, the same key, another message: their own ticket, not a 422
        other = await bob.post(url, json=submission(email="bob@example.com"), headers=key)
        assert other.status_code == 201, other.text
        assert other.json()["key"] != first.json()["key"]
        # another visitor sending the same message with the same key: not Ann's answer
        same = await cid.post(url, json=submission(email="ann@example.com"), headers=key)
        assert same.status_code == 201, same.text
        assert "idempotent-replayed" not in same.headers
        assert same.json()["key"] not in (first.json()["key"], other.json()["key"])
        # Ann's own retry is still a replay of her first answer, and creates nothing
        retry = await ann.post(url, json=submission(email="ann@example.com"), headers=key)
        assert retry.headers.get("idempotent-replayed") == "true"
        assert retry.json() == first.json()
        # a colleague behind Ann's address who gives another email is another visitor
        colleague = await ann.post(url, json=submission(email="dee@example.com"), headers=key)
        assert colleague.status_code == 201, colleague.text
        # and one visitor reusing the key for another message is told so
        reused = await ann.post(
            url, json=submission(email="ann@example.com", subject="Other"), headers=key
        )
        assert reused.status_code == 422, reused.text
    assert len((await tenant.get("/tickets")).json()["items"]) == 4
