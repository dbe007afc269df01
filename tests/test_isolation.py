"""Tenant isolation: another workspace's objects answer 404 on every route that names one."""

from __future__ import annotations

import json
import re

from tests.support import eventually
from ticketdesk.openapi import OPENAPI_PATH

# A minimal valid body per operation, so the route gets as far as looking the object up.
BODIES = {
    "tickets:update": {"priority": "high"},
    "comments:create": {"body": "sneaky"},
    "users:update": {"name": "Renamed"},
    "teams:update": {"name": "Renamed"},
    "statuses:update": {"label": "Renamed"},
    "automations:update": {"name": "Renamed"},
    "sla_policies:update": {"name": "Renamed"},
    "business_hours:update": {"name": "Renamed"},
    "business_hours:import_holidays": {"country": "DE", "years": [2026]},
    "webhooks:update": {"description": "Renamed"},
    "tickets:merge": {"into": "TKT-1"},
    "tickets:split": {"comment_ids": ["00000000-0000-4000-8000-000000000000"], "subject": "x"},
    "tickets:link": {"ticket": "TKT-1"},
    "views:update": {"name": "Renamed"},
    "macros:update": {"name": "Renamed"},
    "conversations:add_message": {"author": "visitor", "body": "sneaky"},
    "conversations:create_ticket": {"subject": "sneaky"},
    "custom_fields:update": {"label": "Renamed"},
    "ticket_types:update": {"name": "Renamed"},
    "approvals:reject": {"comment": "sneaky"},
}
# multipart operations: a file, so the route gets as far as looking the ticket up
FILES = {"attachments:upload", "attachments:upload_to_comment"}
# Path parameters that name no object of a workspace: a template kind is the caller's own,
# the public form is addressed by slug on purpose (it has no caller to scope by), and a CSAT
# survey by its link's token, which is the only key (tests/csat: it opens its one ticket).
NOT_OBJECTS = {"kind", "workspace_slug", "token"}


async def created(tenant, url, body):
    response = await tenant.post(url, json=body)
    assert response.status_code == 201, (url, response.text)
    return response.json()


async def foreign_objects(other_tenant):
    """One object of every kind in the other workspace, named for the path parameters."""
    webhook = (
        await other_tenant.post(
            "/webhooks", json={"url": "http://127.0.0.1:9/confidential", "events": ["*"]}
        )
    ).json()
    ticket = await other_tenant.create_ticket(subject="Confidential matter")
    for _ in range(4):
        await other_tenant.create_ticket()
    await created(
        other_tenant, "/statuses", {"name": "secret_status", "label": "S", "category": "open"}
    )

    async def delivery_log() -> list[dict[str, str]]:
        log = await other_tenant.get(f"/webhooks/{webhook['id']}/deliveries")
        items: list[dict[str, str]] = log.json()["items"]
        return items

    # the in-process runner writes the deliveries just after commit
    deliveries = await eventually(delivery_log, "the webhook's deliveries")
    other = await other_tenant.create_ticket(subject="Confidential too")
    comment = (
        await other_tenant.post(f"/tickets/{other['key']}/comments", json={"body": "Confidential"})
    ).json()
    attachment = (
        await other_tenant.post(
            f"/tickets/{other['key']}/attachments",
            files={"file": ("confidential.txt", b"Confidential", "text/plain")},
        )
    ).json()
    link = (
        await other_tenant.post(f"/tickets/{other['key']}/links", json={"ticket": "TKT-2"})
    ).json()
    view = (
        await other_tenant.post("/views", json={"name": "Confidential view", "shared": True})
    ).json()
    await other_tenant.patch(
        f"/tickets/{other['key']}", json={"assignee_id": other_tenant.users["agent"]["id"]}
    )
    notification = (await other_tenant.get("/notifications", role="agent")).json()["items"][0]
    conversation = await created(
        other_tenant,
        "/conversations",
        {"messages": [{"author": "visitor", "body": "Confidential chat"}]},
    )
    await created(
        other_tenant, "/custom-fields", {"key": "secret_field", "label": "S", "kind": "text"}
    )
    await created(
        other_tenant,
        "/ticket-types",
        {
            "key": "secret_type",
            "name": "Confidential type",
            "approvals": [{"to": "resolved", "approver_roles": ["admin"]}],
        },
    )
    gated = await other_tenant.create_ticket(subject="Confidential gated", type="secret_type")
    approval = await other_tenant.patch(
        f"/tickets/{gated['key']}", json={"status": "resolved"}, role="agent"
    )
    assert approval.status_code == 202, approval.text
    return {
        "field_key": ["secret_field"],
        "type_key": ["secret_type"],
        "approval_id": [approval.json()["approval"]["id"]],
        "conversation_id": [conversation["id"]],
        "comment_id": [comment["id"]],
        "attachment_id": [attachment["id"]],
        "link_id": [link["id"]],
        "view_id": [view["id"]],
        "macro_id": [
            (
                await created(
                    other_tenant,
                    "/macros",
                    {"name": "Confidential macro", "body": "Confidential", "shared": True},
                )
            )["id"]
        ],
        "notification_id": [notification["id"]],
        "webhook_id": [webhook["id"]],
        "delivery_id": [deliveries[0]["id"]],
        "ticket": [ticket["id"], "TKT-5"],
        "user_id": [other_tenant.users["agent"]["id"]],
        "team_id": [(await created(other_tenant, "/teams", {"name": "Confidential team"}))["id"]],
        "token_id": [
            (await created(other_tenant, "/api-tokens", {"name": "t", "scopes": ["tickets:read"]}))[
                "id"
            ]
        ],
        "name": ["secret_status"],
        "rule_id": [
            (
                await created(
                    other_tenant,
                    "/automations",
                    {
                        "name": "Confidential rule",
                        "trigger": "ticket.created",
                        "actions": [{"type": "set_priority", "value": "low"}],
                    },
                )
            )["id"]
        ],
        "hours_id": [
            (
                await created(
                    other_tenant,
                    "/business-hours",
                    {
                        "name": "Confidential hours",
                        "timezone": "UTC",
                        "weekly": {"mon": [["09:00", "17:00"]]},
                    },
                )
            )["id"]
        ],
        "policy_id": [
            (
                await created(
                    other_tenant,
                    "/sla-policies",
                    {
                        "name": "Confidential policy",
                        "targets": {"high": {"first_response_minutes": 60}},
                    },
                )
            )["id"]
        ],
    }


async def test_every_route_with_an_id_hides_other_workspaces(tenant, other_tenant):
    samples = await foreign_objects(other_tenant)
    await tenant.create_ticket()  # the caller has TKT-1 only
    schema = json.loads(OPENAPI_PATH.read_text())
    checked = 0
    for path, item in schema["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        if not params or NOT_OBJECTS & set(params):
            continue
        for method, operation in item.items():
            missing = [p for p in params if p not in samples]
            assert not missing, f"{method} {path}: add a foreign sample for {missing}"
            for values in zip(*(samples[p] for p in params), strict=False):
                url = path.removeprefix("/api/v1")
                for param, value in zip(params, values, strict=True):
                    url = url.replace("{" + param + "}", value)
                body = BODIES.get(operation["operationId"])
                if operation["operationId"] in FILES:
                    files = {"file": ("x.txt", b"sneaky", "text/plain")}
                    response = await tenant.request(method.upper(), url, files=files)
                else:
                    response = await tenant.request(method.upper(), url, json=body)
                assert response.status_code == 404, (
                    method,
                    url,
                    response.status_code,
                    response.text,
                )
                assert "confidential" not in response.text.lower()
                checked += 1
    assert checked >= 10
    # and nothing changed over there
    theirs = (await other_tenant.get("/tickets/TKT-1")).json()
    assert theirs["priority"] == "normal" and theirs["version"] == 1
    assert (await other_tenant.get("/tickets/TKT-1/comments")).json() == []


async def test_lists_show_only_the_callers_workspace(tenant, other_tenant):
    await foreign_objects(other_tenant)
    await tenant.create_ticket(labels=["mine"])
    tickets = (await tenant.get("/tickets")).json()["items"]
    assert [t["subject"] for t in tickets] == ["Printer on fire"]
    assert (await tenant.get("/tickets/stats")).json()["total"] == 1
    assert (await tenant.get("/tickets", params={"q": "confidential"})).json()["items"] == []
    user_emails = {u["email"] for u in (await tenant.get("/users")).json()}
    assert all(e.endswith(f"@{tenant.slug}.test") for e in user_emails)
    assert [t["name"] for t in (await tenant.get("/teams")).json()] == []
    assert "secret_status" not in {s["name"] for s in (await tenant.get("/statuses")).json()}
    assert [label["name"] for label in (await tenant.get("/labels")).json()] == ["mine"]
    assert (await tenant.get("/api-tokens")).json() == []


async def test_references_to_foreign_objects_are_refused(tenant, other_tenant):
    samples = await foreign_objects(other_tenant)
    response = await tenant.post(
        "/tickets", json={"subject": "x", "assignee_id": samples["user_id"][0]}
    )
    assert response.status_code == 422
    response = await tenant.post(
        "/tickets", json={"subject": "x", "team_id": samples["team_id"][0]}
    )
    assert response.status_code == 422
    response = await tenant.post("/teams", json={"name": "T", "member_ids": samples["user_id"]})
    assert response.status_code == 422
    assert (await tenant.get("/tickets/stats")).json()["total"] == 0
