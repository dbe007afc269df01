"""Bad input on every field: a clear 4xx problem, and nothing written."""

from __future__ import annotations

import json

import pytest

BAD_CREATES = [
    ({"subject": 42}, 422),
    ({"subject": ""}, 422),
    ({"subject": "   "}, 422),
    ({"subject": "a" * 501}, 422),
    ({"subject": "two\nlines"}, 422),
    ({"subject": "nul\u0000byte"}, 422),
    ({"subject": "ok", "description": "nul \u0000"}, 422),
    ({"subject": "ok", "description": "x" * 100_001}, 422),
    ({"subject": "ok", "priority": "critical"}, 422),
    ({"subject": "ok", "priority": None}, 422),
    ({"subject": "ok", "channel": "fax"}, 422),
    ({"subject": "ok", "status": "Bad Status!"}, 422),
    ({"subject": "ok", "type": "x" * 51}, 422),
    ({"subject": "ok", "labels": "refund"}, 422),
    ({"subject": "ok", "labels": ["a,b"]}, 422),
    ({"subject": "ok", "labels": [""]}, 422),
    ({"subject": "ok", "labels": ["x"] * 51}, 422),
    ({"subject": "ok", "labels": ["\u0000"]}, 422),
    ({"subject": "ok", "requester": {"email": "not-an-email"}}, 422),
    ({"subject": "ok", "requester": {"email": "a@b.c", "extra": 1}}, 422),
    ({"subject": "ok", "requester": "a@b.c"}, 422),
    ({"subject": "ok", "assignee_id": "not-a-uuid"}, 422),
    ({"subject": "ok", "assignee_id": 5}, 422),
    ({"subject": "ok", "custom_fields": []}, 422),
    ({"subject": "ok", "custom_fields": {"k": "nul\u0000"}}, 422),
    ({"subject": "ok", "custom_fields": {"k": "x" * 20_000}}, 422),
    ({"subject": "ok", "custom_fields": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, 422),
    ({"subject": "ok", "unknown_field": 1}, 422),
    ({"subject": "a" * 1_000_000}, 422),
    ({"subject": "a" * 2_000_000}, 413),
    ([], 422),
    ("just a string", 422),
    (None, 422),
]


@pytest.mark.parametrize(("body", "status"), BAD_CREATES)
async def test_bad_create_bodies(tenant, body, status):
    response = await tenant.post("/tickets", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if status == 422:
        assert problem["errors"], problem
        assert all("loc" in e and "msg" in e for e in problem["errors"])
    assert (await tenant.get("/tickets/stats")).json()["total"] == 0


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b'{"subject": "unterminated', "application/json", 400),
        (b'\xff\xfe{"subject": "x"}', "application/json", 400),
        (b'{"subject": "\xc3\x28"}', "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b"subject=x", "application/x-www-form-urlencoded", 415),
        (b'{"subject": "x"}', "text/plain", 415),
        (b"{" + b'"k":1,' * 300_000 + b'"z":1}', "application/json", 413),
    ],
)
async def test_malformed_bodies(tenant, raw, content_type, status):
    response = await tenant.post("/tickets", content=raw, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert (await tenant.get("/tickets/stats")).json()["total"] == 0


async def test_bad_patches_change_nothing(tenant):
    await tenant.create_ticket(labels=["keep"])
    for body in (
        {"subject": None},
        {"status": None},
        {"labels": None},
        {"priority": "x"},
        {"labels": ["ok", "bad,label"]},
        {"custom_fields": "x"},
        {"version": 3},
        {"subject": "\u0000"},
        {"assignee_id": "nope"},
    ):
        response = await tenant.patch("/tickets/TKT-1", json=body)
        assert response.status_code == 422, body
    ticket = (await tenant.get("/tickets/TKT-1")).json()
    assert ticket["version"] == 1 and ticket["labels"] == ["keep"]


async def test_nul_bytes_in_urls_are_400(tenant):
    await tenant.create_ticket()
    for url in ("/tickets?q=%00", "/tickets?status=open%00", "/tickets/TKT-1%00"):
        response = await tenant.get(url)
        assert response.status_code in (400, 404), url
        assert response.headers["content-type"] == "application/problem+json"


async def test_comment_bodies(tenant):
    await tenant.create_ticket()
    for body in (
        {"body": ""},
        {"body": "x" * 65_537},
        {"body": "a", "visibility": "secret"},
        {"body": "\u0000"},
        {},
    ):
        response = await tenant.post("/tickets/TKT-1/comments", json=body)
        assert response.status_code == 422, body
    assert (await tenant.get("/tickets/TKT-1/comments")).json() == []


async def test_unknown_routes_and_methods(tenant):
    unknown = await tenant.get("/nope")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    wrong = await tenant.delete("/tickets")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_problem_bodies_are_valid_json_with_the_documented_fields(tenant):
    response = await tenant.post("/tickets", json={"subject": 1})
    problem = json.loads(response.text)
    assert set(problem) >= {"type", "title", "status", "detail", "errors"}
    assert problem["errors"][0]["loc"] == ["body", "subject"]
