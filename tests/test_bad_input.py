"""Bad input on every field: a clear 4xx problem, and nothing written."""

from __future__ import annotations

import json
import re

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


async def test_nul_bytes_in_urls(tenant):
    """In an API URL: a 422 naming the parameter; anywhere else: a 400."""
    await tenant.create_ticket()
    for url, loc in (
        ("/tickets?q=%00", ["query", "q"]),
        ("/tickets?status=open%00", ["query", "status"]),
        ("/tickets/TKT-1%00", ["path", "ticket"]),
    ):
        response = await tenant.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"] == loc
    outside = await tenant.get("http://testserver/some%00page")
    assert outside.status_code == 400
    assert outside.headers["content-type"] == "application/problem+json"


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


# --- text the database cannot store, in every input -------------------------------------------

# NUL, a lone low surrogate and a lone high surrogate (JSON's "\u0000", "\udc00", "\ud800")
UNSTORABLE = ("\x00", "\udc00", "\ud800")


async def _world(tenant) -> dict[str, str]:
    """One of everything a write operation's path or body refers to."""
    first = await tenant.create_ticket(
        subject="first", requester={"email": "first@customer.example"}
    )
    await tenant.create_ticket(subject="second")
    comment = await tenant.post("/tickets/TKT-1/comments", json={"body": "to split"})
    conversation = await tenant.post(
        "/conversations", json={"messages": [{"author": "visitor", "body": "hi"}]}
    )
    rule = await tenant.post(
        "/automations",
        json={
            "name": "r",
            "trigger": "ticket.created",
            "actions": [{"type": "set_priority", "value": "high"}],
        },
    )
    hours = await tenant.post(
        "/business-hours",
        json={"name": "h", "timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "17:00"]]}},
    )
    policy = await tenant.post(
        "/sla-policies", json={"name": "p", "targets": {"urgent": {"first_response_minutes": 60}}}
    )
    team = await tenant.post("/teams", json={"name": "Support"})
    view = await tenant.post("/views", json={"name": "Mine"})
    macro = await tenant.post("/macros", json={"name": "Thanks", "body": "Thank you!"})
    hook = await tenant.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}
    )
    for response in (comment, conversation, rule, hours, policy, team, view, macro, hook):
        assert response.status_code in (200, 201), response.text
    return {
        "ticket": first["key"],
        "contact": first["requester"]["id"],
        "comment": comment.json()["id"],
        "conversation": conversation.json()["id"],
        "rule": rule.json()["id"],
        "hours": hours.json()["id"],
        "policy": policy.json()["id"],
        "team": team.json()["id"],
        "view": view.json()["id"],
        "macro": macro.json()["id"],
        "webhook": hook.json()["id"],
        "user": tenant.users["agent"]["id"],
    }


def _json_writes(ids: dict[str, str], tenant) -> list[tuple[str, str, str, object]]:
    """(operation id, method, url, a valid body) for every operation that takes JSON."""
    t = ids["ticket"]
    created = "2026-01-05T10:00:00Z"
    return [
        ("api_tokens:create", "POST", "/api-tokens", {"name": "ci", "scopes": ["tickets:read"]}),
        ("contacts:update", "PATCH", f"/contacts/{ids['contact']}", {"name": "Renamed"}),
        (
            "auth:login",
            "POST",
            "/auth/login",
            {
                "email": f"admin@{tenant.slug}.test",
                "password": "admin-password",
                "workspace": tenant.slug,
            },
        ),
        (
            "automations:create",
            "POST",
            "/automations",
            {
                "name": "refunds",
                "trigger": "ticket.created",
                "conditions": {
                    "all": [{"field": "subject", "op": "contains", "value": "refund"}],
                    "any": [{"field": "labels", "op": "in", "value": ["billing", "vip"]}],
                },
                "actions": [
                    {"type": "add_labels", "value": ["billing"]},
                    {"type": "add_comment", "value": {"body": "hi", "visibility": "internal"}},
                    {"type": "set_custom_field", "value": {"key": "order_id", "value": "78932"}},
                    {"type": "send_email", "value": {"template": "agent_reply", "to": "requester"}},
                ],
            },
        ),
        (
            "automations:update",
            "PATCH",
            f"/automations/{ids['rule']}",
            {"name": "renamed", "actions": [{"type": "add_comment", "value": "noted"}]},
        ),
        (
            "approvals:approve",
            "POST",
            "/approvals/00000000-0000-0000-0000-000000000000/approve",
            {"comment": "fine"},
        ),
        (
            "approvals:reject",
            "POST",
            "/approvals/00000000-0000-0000-0000-000000000000/reject",
            {"comment": "no"},
        ),
        (
            "custom_fields:create",
            "POST",
            "/custom-fields",
            {
                "key": "reason",
                "label": "Reason",
                "kind": "dropdown",
                "description": "Why it came back",
                "options": [{"value": "damaged", "label": "Damaged"}],
                "validation": {"pattern": "x", "min": "1"},
                "visible_when": {"field": "category", "op": "is", "value": "returns"},
            },
        ),
        ("custom_fields:update", "PATCH", "/custom-fields/reason", {"label": "Cause"}),
        (
            "ticket_types:create",
            "POST",
            "/ticket-types",
            {
                "key": "return",
                "name": "Return",
                "description": "Goods coming back",
                "statuses": ["open", "resolved"],
                "initial_status": "open",
                "transitions": [{"from": "open", "to": ["resolved"], "roles": ["agent"]}],
                "required_fields": {"resolved": ["category"]},
                "approvals": [
                    {
                        "to": "resolved",
                        "when": {"field": "priority", "op": "is", "value": "urgent"},
                        "approver_roles": ["admin"],
                    }
                ],
            },
        ),
        ("ticket_types:update", "PATCH", "/ticket-types/question", {"name": "Questions"}),
        (
            "business_hours:create",
            "POST",
            "/business-hours",
            {
                "name": "Berlin",
                "timezone": "Europe/Berlin",
                "weekly": {"mon": [["09:00", "17:00"]]},
                "holidays": ["2026-12-25"],
            },
        ),
        ("business_hours:update", "PATCH", f"/business-hours/{ids['hours']}", {"name": "Late"}),
        (
            "business_hours:import_holidays",
            "POST",
            f"/business-hours/{ids['hours']}/holidays/import",
            {"country": "DE", "subdivision": "BE", "years": [2026]},
        ),
        (
            "conversations:upsert",
            "POST",
            "/conversations",
            {
                "external_id": "chat-1",
                "visitor": {
                    "email": "vi@example.com",
                    "name": "Vi",
                    "country": "DE",
                    "device": "phone",
                    "page_url": "https://shop.example.com/cart",
                },
                "messages": [{"author": "visitor", "body": "help", "author_name": "Vi"}],
            },
        ),
        (
            "conversations:add_message",
            "POST",
            f"/conversations/{ids['conversation']}/messages",
            {"author": "ai", "body": "hello", "author_name": "Bot"},
        ),
        (
            "conversations:create_ticket",
            "POST",
            f"/conversations/{ids['conversation']}/tickets",
            {
                "subject": "From chat",
                "description": "see transcript",
                "requester_email": "vi@example.com",
                "labels": ["chat"],
            },
        ),
        (
            "email:put_template",
            "PUT",
            "/email/templates/ticket_opened",
            {"subject": "Re: {{ ticket.subject }}", "text": "Hello", "html": "<p>Hello</p>"},
        ),
        (
            "email:preview_template",
            "POST",
            "/email/templates/ticket_opened/preview",
            {"subject": "Re: {{ ticket.subject }}", "text": "Hello", "html": "<p>Hello</p>"},
        ),
        ("labels:create", "POST", "/labels", {"name": "urgent-ish", "color": "#aabbcc"}),
        (
            "forms:submit",
            "POST",
            f"/public/{tenant.slug}/tickets",
            {"email": "fo@example.com", "name": "Fo", "subject": "Hi", "description": "Help"},
        ),
        (
            "settings:put_auto_assign",
            "PUT",
            "/settings/auto-assign",
            {
                "rules": [
                    {
                        "category": "billing",
                        "label": "vip",
                        "email_domain": "example.com",
                        "subject_keywords": ["refund"],
                        "assign": "round_robin",
                    }
                ]
            },
        ),
        (
            "settings:set_auto_close",
            "POST",
            "/settings/auto-close",
            {
                "reminder_after_days": 3,
                "close_after_days": 7,
                "reminder_message": "Still there?",
                "close_message": "Closed",
            },
        ),
        (
            "email:put_settings",
            "PUT",
            "/settings/email",
            {
                "brand_name": "Acme",
                "brand_color": "#112233",
                "signature": "Acme support",
                "from_address": "help@example.com",
                "notify_statuses": ["waiting"],
            },
        ),
        (
            "forms:put_settings",
            "PUT",
            "/settings/form",
            {"allowed_origins": ["https://example.com"]},
        ),
        (
            "settings:put_csat",
            "PUT",
            "/settings/csat",
            {"enabled": True, "scale": "good_bad", "delay_minutes": 30},
        ),
        (
            "settings:put_triage",
            "PUT",
            "/settings/triage",
            {"auto_apply": {"category": 0.8, "priority": 0.9}},
        ),
        ("triage:predict", "POST", "/triage/predict", {"subject": "Refund for my order"}),
        (
            "surveys:answer",
            "POST",
            "/public/surveys/not-a-sent-token",
            {"rating": "bad", "comment": "Too slow"},
        ),
        (
            "sla_policies:create",
            "POST",
            "/sla-policies",
            {
                "name": "VIP",
                "match": {"labels": ["vip"], "type": ["incident"]},
                "targets": {"urgent": {"first_response_minutes": 60}},
                "escalation": [{"on": "breach", "type": "notify", "value": ["assignee"]}],
            },
        ),
        ("sla_policies:update", "PATCH", f"/sla-policies/{ids['policy']}", {"name": "Gold"}),
        (
            "statuses:create",
            "POST",
            "/statuses",
            {"name": "on_hold", "label": "On hold", "category": "pending"},
        ),
        ("statuses:update", "PATCH", "/statuses/open", {"label": "Open"}),
        ("teams:create", "POST", "/teams", {"name": "Billing"}),
        ("teams:update", "PATCH", f"/teams/{ids['team']}", {"name": "Tier 2"}),
        (
            "tickets:create",
            "POST",
            "/tickets",
            {
                "subject": "Refund",
                "description": "Broken",
                "type": "question",
                "category": "billing",
                "labels": ["refund"],
                "requester": {"email": "re@example.com", "name": "Re"},
                "custom_fields": {"order_id": "78932", "notes": {"lines": ["a", "b"]}},
            },
        ),
        (
            "tickets:bulk",
            "POST",
            "/tickets/bulk",
            {"tickets": [t], "changes": {"status": "open", "add_labels": ["bulk"]}},
        ),
        (
            "tickets:import",
            "POST",
            "/tickets/import",
            {
                "subject": "Old",
                "description": "From the old desk",
                "status": "open",
                "labels": ["legacy"],
                "custom_fields": {"legacy_id": "Z-1"},
                "created_at": created,
                "comments": [
                    {"body": "first reply", "author_email": "ol@example.com", "created_at": created}
                ],
            },
        ),
        (
            "tickets:update",
            "PATCH",
            f"/tickets/{t}",
            {
                "subject": "Edited",
                "description": "More",
                "labels": ["edited"],
                "custom_fields": {"order_id": "1"},
            },
        ),
        ("comments:create", "POST", f"/tickets/{t}/comments", {"body": "A reply"}),
        ("tickets:link", "POST", f"/tickets/{t}/links", {"ticket": "TKT-2"}),
        ("tickets:merge", "POST", f"/tickets/{t}/merge", {"into": "TKT-2"}),
        (
            "tickets:split",
            "POST",
            f"/tickets/{t}/split",
            {"comment_ids": [ids["comment"]], "subject": "Split off"},
        ),
        (
            "users:create",
            "POST",
            "/users",
            {"email": "ne@example.com", "name": "New", "password": "password-1"},
        ),
        (
            "users:update",
            "PATCH",
            f"/users/{ids['user']}",
            {"name": "Bobby", "password": "password-2"},
        ),
        (
            "views:create",
            "POST",
            "/views",
            {"name": "Open", "filters": {"status": "open", "q": "refund"}, "sort": "-created_at"},
        ),
        ("views:update", "PATCH", f"/views/{ids['view']}", {"name": "Renamed"}),
        (
            "macros:create",
            "POST",
            "/macros",
            {
                "name": "Refund",
                "body": "Hi {{ ticket.requester.name }}",
                "visibility": "public",
                "actions": [
                    {"type": "add_labels", "value": ["refund"]},
                    {"type": "set_custom_field", "value": {"key": "order_id", "value": "1"}},
                ],
            },
        ),
        ("macros:update", "PATCH", f"/macros/{ids['macro']}", {"name": "Renamed", "body": "Hi"}),
        (
            "macros:apply",
            "POST",
            f"/tickets/{t}/macros/{ids['macro']}/apply",
            {"body": "Edited reply", "visibility": "internal"},
        ),
        (
            "webhooks:create",
            "POST",
            "/webhooks",
            {"url": "http://127.0.0.1:9/h", "events": ["ticket.created"], "description": "CRM"},
        ),
        ("webhooks:update", "PATCH", f"/webhooks/{ids['webhook']}", {"description": "ERP"}),
        (
            "workspace:update",
            "PATCH",
            "/workspace",
            {"name": "Acme Inc", "timezone": "Europe/Berlin"},
        ),
    ]


def _text_leaves(node: object, path: tuple = ()) -> list[tuple[tuple, bool]]:
    """(path, is_key) of every string in a JSON body: values, and keys of free-form objects."""
    found: list[tuple[tuple, bool]] = []
    if isinstance(node, str):
        found.append((path, False))
    elif isinstance(node, dict):
        for key, item in node.items():
            if path and path[-1] in ("custom_fields", "notes"):
                found.append(((*path, key), True))
            found.extend(_text_leaves(item, (*path, key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_text_leaves(item, (*path, index)))
    return found


def _replace(node: object, path: tuple, bad: str, is_key: bool) -> object:
    if not path:
        return f"{node}{bad}" if not is_key else node
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        if is_key and not rest:
            return {(f"{k}{bad}" if k == head else k): v for k, v in node.items()}
        return {k: (_replace(v, rest, bad, is_key) if k == head else v) for k, v in node.items()}
    assert isinstance(node, list)
    return [_replace(v, rest, bad, is_key) if i == head else v for i, v in enumerate(node)]


def _escaped(part: object) -> object:
    if isinstance(part, str):
        return part.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return part


def _json_body_operations(app) -> set[str]:
    return {
        op["operationId"]
        for item in app.openapi()["paths"].values()
        for op in item.values()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    }


async def test_every_json_operation_is_walked(app, tenant):
    ids = {
        k: "00000000-0000-0000-0000-000000000000"
        for k in (
            "ticket",
            "contact",
            "comment",
            "conversation",
            "rule",
            "hours",
            "policy",
            "team",
            "view",
            "macro",
            "webhook",
            "user",
        )
    }
    walked = {op for op, *_ in _json_writes(ids, tenant)}
    assert _json_body_operations(app) <= walked, _json_body_operations(app) - walked


async def test_unstorable_text_anywhere_in_a_body_is_a_422_naming_it(tenant):
    """NUL and lone surrogates in any string of any JSON body (free-form custom_fields and
    automation values included): 422 with the string's exact `loc`, never a 500."""
    ids = await _world(tenant)
    before = (await tenant.get("/tickets/stats")).json()["total"]
    problems: list[str] = []
    for operation, method, url, body in _json_writes(ids, tenant):
        for path, is_key in _text_leaves(body):
            for bad in UNSTORABLE:
                sent = _replace(body, path, bad, is_key)
                # httpx escapes lone surrogates as JSON does: "\udc00"
                content = json.dumps(sent).encode()
                response = await tenant.request(
                    method, url, content=content, headers={"Content-Type": "application/json"}
                )
                where = ["body", *path[:-1], f"{path[-1]}{bad}"] if is_key else ["body", *path]
                # a lone surrogate in a key comes back as U+FFFD: the problem stays valid UTF-8
                where = [_escaped(part) for part in where]
                locs = [e["loc"] for e in response.json().get("errors") or []]
                if response.status_code != 422 or not any(
                    loc[: len(where)] == where for loc in locs
                ):
                    problems.append(f"{operation} {where!r} {bad!r}: {response.status_code} {locs}")
    assert not problems, "\n".join(problems)
    assert (await tenant.get("/tickets/stats")).json()["total"] == before


# --- query strings, paths and headers -----------------------------------------------------------


def _operations_with(app, where: str) -> list[tuple[str, str, str, list[dict]]]:
    """(operation id, method, path template, its parameters in `where`) per operation."""
    found = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            params = [p for p in op.get("parameters", []) if p["in"] == where]
            if params:
                found.append(
                    (op["operationId"], method.upper(), path.removeprefix("/api/v1"), params)
                )
    return found


def _fill(template: str, **override: str) -> str:
    values = {"ticket": "TKT-1", "kind": "ticket_opened", "name": "open"}
    for name in re.findall(r"{(\w+)}", template):
        value = override.get(name, values.get(name, "00000000-0000-0000-0000-000000000000"))
        template = template.replace(f"{{{name}}}", value)
    return template


async def test_unknown_query_parameters_are_a_422_naming_them(app, tenant):
    await tenant.create_ticket(subject="open one")
    typo = await tenant.get("/tickets?stauts=open&limit=5")
    assert typo.status_code == 422, typo.text
    assert typo.headers["content-type"] == "application/problem+json"
    assert typo.json()["errors"][0]["loc"] == ["query", "stauts"]
    assert "status" in typo.json()["errors"][0]["msg"]  # it lists what the route takes
    assert (await tenant.get("/tickets?status=open&limit=5")).status_code == 200
    problems = []
    for operation, method, template, _params in _operations_with(app, "query"):
        response = await tenant.request(method, _fill(template) + "?bogus=1&other=2")
        locs = [e["loc"] for e in response.json().get("errors") or []]
        if response.status_code != 422 or locs != [["query", "bogus"], ["query", "other"]]:
            problems.append(f"{operation}: {response.status_code} {locs}")
    assert not problems, "\n".join(problems)


async def test_nul_in_query_path_and_header_values_is_a_422_naming_them(app, tenant):
    await tenant.create_ticket()
    problems = []
    for operation, method, template, params in _operations_with(app, "query"):
        for param in params:
            if param["schema"].get("type", "string") != "string" and "anyOf" not in param["schema"]:
                continue
            response = await tenant.request(method, f"{_fill(template)}?{param['name']}=ok%00")
            locs = [e["loc"] for e in response.json().get("errors") or []]
            if response.status_code != 422 or ["query", param["name"]] not in locs:
                problems.append(f"{operation} query {param['name']}: {response.status_code} {locs}")
    for operation, method, template, params in _operations_with(app, "path"):
        for param in params:
            url = _fill(template, **{param["name"]: "TKT-1%00"})
            response = await tenant.request(method, url)
            locs = [e["loc"] for e in response.json().get("errors") or []]
            if response.status_code != 422 or ["path", param["name"]] not in locs:
                problems.append(f"{operation} path {param['name']}: {response.status_code} {locs}")
    assert not problems, "\n".join(problems)
    stale = await tenant.patch(
        "/tickets/TKT-1", json={"subject": "x"}, headers={"If-Match": '"1\x00"'}
    )
    assert stale.status_code == 422, stale.text
    assert stale.json()["errors"][0]["loc"] == ["header", "if-match"]
    assert (await tenant.get("/tickets/TKT-1")).json()["version"] == 1


# --- numbers and flags are JSON-strict ------------------------------------------------------


def _input_models() -> list[type]:
    import importlib
    import pkgutil

    import ticketdesk
    from ticketdesk.schemas import Input

    for module in pkgutil.walk_packages(ticketdesk.__path__, "ticketdesk."):
        if module.name.endswith(("schemas", "filters")):
            importlib.import_module(module.name)
    found, todo = set(), list(Input.__subclasses__())
    while todo:
        model = todo.pop()
        found.add(model)
        todo.extend(model.__subclasses__())
    return sorted(found, key=lambda m: f"{m.__module__}.{m.__qualname__}")


def _lax_numbers(node: object, path: str = "") -> list[str]:
    """Where a core schema validates an int or a bool without `strict`."""
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("int", "bool", "float") and not node.get("strict"):
            found.append(f"{path} ({node['type']})")
        for key, value in node.items():
            found.extend(_lax_numbers(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_lax_numbers(value, f"{path}[{index}]"))
    return found


def test_every_number_and_flag_in_a_request_body_is_strict():
    """`false` is not 0 and `0` is not false in any body (use JsonInt and Flag)."""
    lax = [
        f"{model.__module__}.{model.__qualname__}{where}"
        for model in _input_models()
        for where in _lax_numbers(model.__pydantic_core_schema__)
    ]
    assert not lax, "\n".join(lax)


async def test_bools_are_not_numbers_and_numbers_are_not_bools(tenant):
    ids = await _world(tenant)
    cases = [
        ("POST", "/statuses", {"name": "held", "label": "Held", "category": "pending"}, "position"),
        ("PATCH", "/statuses/open", {}, "position"),
        ("PATCH", f"/automations/{ids['rule']}", {}, "position"),
        ("PATCH", f"/sla-policies/{ids['policy']}", {}, "position"),
        ("PATCH", f"/views/{ids['view']}", {}, "position"),
        ("PUT", "/settings/form", {}, "rate_limit"),
    ]
    flags = [
        ("PATCH", f"/users/{ids['user']}", {}, "active"),
        ("PATCH", f"/webhooks/{ids['webhook']}", {}, "active"),
        ("PATCH", f"/automations/{ids['rule']}", {}, "active"),
        ("PATCH", f"/sla-policies/{ids['policy']}", {}, "active"),
        ("PATCH", f"/views/{ids['view']}", {}, "shared"),
        ("PUT", "/settings/email", {}, "notify_resolved"),
    ]
    for method, url, body, field in cases:
        for wrong in (False, True, "1", 1.5):
            response = await tenant.request(method, url, json={**body, field: wrong})
            assert response.status_code == 422, (url, field, wrong, response.text)
            assert response.json()["errors"][0]["loc"] == ["body", field]
        ok = await tenant.request(method, url, json={**body, field: 3.0})  # JSON's integer 3
        assert ok.status_code in (200, 201), (url, ok.text)
        assert ok.json()[field] == 3
    for method, url, body, field in flags:
        for wrong in (0, 1, "true", "false"):
            response = await tenant.request(method, url, json={**body, field: wrong})
            assert response.status_code == 422, (url, field, wrong, response.text)
            assert response.json()["errors"][0]["loc"] == ["body", field]
    assert (await tenant.get(f"/users/{ids['user']}")).json()["active"] is True


async def test_unstorable_text_in_an_upload_is_refused_or_cleaned(tenant):
    """A filename or part content type with NUL or invalid UTF-8: stored cleaned, or a 422."""
    await tenant.create_ticket()
    for disposition, content_type in (
        (b'form-data; name="file"; filename="a\x00b.txt"', b"text/plain"),
        (b'form-data; name="file"; filename="\xed\xb3\x80.txt"', b"text/plain"),
        (b'form-data; name="file"; filename="ok.txt"', b"text/pl\x00ain"),
        (b"form-data; name=\"file\"; filename*=UTF-8''%ED%B3%80%00.txt", b"text/plain"),
    ):
        body = (
            b"--XyZ\r\nContent-Disposition: "
            + disposition
            + b"\r\nContent-Type: "
            + content_type
            + b"\r\n\r\nhello\r\n--XyZ--\r\n"
        )
        response = await tenant.post(
            "/tickets/TKT-1/attachments",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        )
        assert response.status_code in (201, 422), (disposition, response.text)
        if response.status_code == 201:
            saved = response.json()
            assert "\x00" not in saved["filename"] + saved["content_type"]
            listed = await tenant.get("/tickets/TKT-1/attachments")
            assert listed.status_code == 200


async def test_unstorable_text_in_an_inbound_email_never_answers_500(tenant):
    """NUL bytes and undecodable bytes in a raw email's headers and body: a ticket with the
    text cleaned, or a 4xx problem; never a 500."""
    token = await tenant.post("/api-tokens", json={"name": "mx", "scopes": ["email:inbound"]})
    headers = {
        "Authorization": f"Bearer {token.json()['token']}",
        "Content-Type": "message/rfc822",
    }
    for n, (subject, body, charset) in enumerate(
        (
            (b"Nul \x00 subject", b"plain body", b"utf-8"),
            (b"Plain subject", b"nul \x00 body", b"utf-8"),
            (b"=?utf-8?b?7bOA?= encoded surrogate", b"\xed\xb3\x80 body", b"utf-8"),
            (b"Bad bytes \xff\xfe", b"\xff\xfe\x00", b"x-unknown"),
        )
    ):
        raw = (
            b"From: Ada <ada@example.com>\r\nTo: desk@example.com\r\nSubject: "
            + subject
            + b"\r\nMessage-ID: <m"
            + str(n).encode()
            + b"@example.com>\r\n"
            + b"Content-Type: text/plain; charset="
            + charset
            + b"\r\n\r\n"
            + body
        )
        response = await tenant.client.post("/inbound/email", content=raw, headers=headers)
        assert response.status_code < 500, (subject, response.text)
    for ticket in (await tenant.get("/tickets")).json()["items"]:
        assert "\x00" not in ticket["subject"] + ticket["description"]
