"""A viewer writes nothing: every mutating operation of the OpenAPI document (the running app's,
so a route added later is walked too) is refused to a viewer's token with a 403, before its
body is even read. Real objects fill the path, so a 404 cannot hide a missing role check.

A new route with a path parameter this file does not know fails here until one is added; a
route a viewer may use is listed in VIEWER_MAY with the reason.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

from tests.fields.helpers import refund_desk
from tests.support import Tenant, eventually

WRITE_METHODS = ("post", "put", "patch", "delete")

# Operations anyone may call without a token: the viewer's token changes nothing about them.
PUBLIC = {
    "auth:login": "signing in",
    "forms:submit": "the website's contact form",
    "surveys:answer": "a CSAT survey link",
}

# Writes a viewer may make: only their own session, inbox and saved searches.
VIEWER_MAY = {
    "auth:logout": "ends the viewer's own session",
    "notifications:read": "marks the viewer's own notification read",
    "notifications:read_all": "marks the viewer's own notifications read",
    "views:create": "a personal saved search (sharing it needs an agent: checked below)",
    "views:update": "the viewer's own saved search",
    "views:delete": "the viewer's own saved search",
    "triage:predict": "a read sent as POST (the text to classify): it changes nothing",
}


def _mail(sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = "A viewer's mail"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    message.set_content("This must not open a ticket.")
    return bytes(message)


async def _created(tenant: Tenant, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await tenant.post(url, json=body)
    assert response.status_code in (200, 201), (url, response.text)
    result: dict[str, Any] = response.json()
    return result


async def _path_values(tenant: Tenant) -> dict[str, str]:
    """A real object (made by the admin) for every path parameter of a write route."""
    ticket = await tenant.create_ticket(requester={"email": f"req@{tenant.slug}.example"})
    other = await tenant.create_ticket(subject="Other")
    comment = await _created(
        tenant, f"/tickets/{ticket['key']}/comments", {"body": "hi", "visibility": "public"}
    )
    link = await _created(
        tenant, f"/tickets/{ticket['key']}/links", {"ticket": other["key"], "kind": "related"}
    )
    webhook = await _created(
        tenant, "/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}
    )
    await tenant.create_ticket(subject="Makes a delivery")

    async def delivery() -> str | None:
        page = (await tenant.get(f"/webhooks/{webhook['id']}/deliveries")).json()
        return page["items"][0]["id"] if page["items"] else None

    hours = await _created(
        tenant,
        "/business-hours",
        {"name": "Office", "timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "17:00"]]}},
    )
    policy = await _created(
        tenant,
        "/sla-policies",
        {"name": "Fast", "targets": {"urgent": {"first_response_minutes": 60}}},
    )
    rule = await _created(
        tenant,
        "/automations",
        {
            "name": "Rule",
            "trigger": "ticket.created",
            "actions": [{"type": "set_priority", "value": "high"}],
        },
    )
    conversation = await _created(
        tenant,
        "/conversations",
        {"channel": "chat", "visitor": {}, "messages": [{"author": "visitor", "body": "hi"}]},
    )
    team = await _created(tenant, "/teams", {"name": "Support"})
    view = await _created(tenant, "/views", {"name": "Mine"})
    api_token = await _created(tenant, "/api-tokens", {"name": "ci", "scopes": ["tickets:read"]})
    macro = await _created(tenant, "/macros", {"name": "Thanks", "body": "Thank you!"})
    await refund_desk(
        tenant,
        approvals=[{"to": "resolved", "when": {"field": "order_id", "op": "is", "value": "A-7"}}],
    )
    refund = await tenant.create_ticket(type="refund", custom_fields={"order_id": "A-7"})
    asked = await tenant.patch(
        f"/tickets/{refund['key']}", json={"status": "resolved"}, role="agent"
    )
    assert asked.status_code == 202, asked.text
    return {
        "ticket": ticket["key"],
        "contact_id": ticket["requester"]["id"],
        "comment_id": comment["id"],
        "link_id": link["id"],
        "user_id": tenant.users["agent"]["id"],
        "webhook_id": webhook["id"],
        "delivery_id": await eventually(delivery, "a webhook delivery"),
        "hours_id": hours["id"],
        "policy_id": policy["id"],
        "rule_id": rule["id"],
        "conversation_id": conversation["id"],
        "team_id": team["id"],
        "view_id": view["id"],
        "token_id": api_token["id"],
        "macro_id": macro["id"],
        "field_key": "order_id",
        "type_key": "refund",
        "approval_id": asked.json()["approval"]["id"],
        "name": "open",
        "kind": "ticket_opened",
        "key": "order_id",
        "notification_id": str(uuid.uuid4()),
        "workspace_slug": tenant.slug,
    }


def _request(method: str, operation: dict[str, Any]) -> dict[str, Any]:
    """A well-formed request of the operation's media type (an empty JSON object by default):
    the role is checked before the body is validated, so its content does not matter."""
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return {"files": {"file": ("note.txt", b"hello", "text/plain")}}
    if "message/rfc822" in content:
        raw = _mail("viewer-mail@customer.example")
        return {"content": raw, "headers": {"Content-Type": "message/rfc822"}}
    if method in ("post", "put", "patch") and content:
        return {"json": {}}
    return {}


def _write_operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if method in WRITE_METHODS:
                found.append((method, path, operation))
    return found


async def test_a_viewer_is_refused_every_write_operation(tenant: Tenant, app: Any) -> None:
    values = await _path_values(tenant)
    tickets_before = (await tenant.get("/tickets/stats")).json()["total"]
    refused: list[str] = []
    wrong: list[str] = []
    public: set[str] = set()
    for method, path, operation in _write_operations(app):
        operation_id = operation["operationId"]
        if not operation.get("security"):
            public.add(operation_id)
            continue
        if operation_id in VIEWER_MAY:
            continue
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        unknown = [name for name in names if name not in values]
        if unknown:
            wrong.append(f"{operation_id}: add a real object for {unknown} to _path_values")
            continue
        url = path.removeprefix("/api/v1")
        for name in names:
            url = url.replace("{" + name + "}", values[name])
        response = await tenant.request(
            method.upper(), url, role="viewer", **_request(method, operation)
        )
        line = f"{method.upper()} {url} ({operation_id}) → {response.status_code}"
        if response.status_code == 403:
            assert response.headers["content-type"] == "application/problem+json", line
            refused.append(line)
        else:
            wrong.append(f"{line}: {response.text[:200]}")
    assert not wrong, "a viewer could reach these writes:\n" + "\n".join(wrong)
    assert public <= set(PUBLIC), f"unauthenticated writes nobody reviewed: {public - set(PUBLIC)}"
    assert len(refused) >= 40, refused  # the walk really walked
    assert (await tenant.get("/tickets/stats")).json()["total"] == tickets_before


async def test_the_writes_a_viewer_may_make_stay_their_own(tenant: Tenant) -> None:
    """The exceptions above: a personal view yes, a shared one no."""
    personal = await tenant.post("/views", json={"name": "My open"}, role="viewer")
    assert personal.status_code == 201, personal.text
    shared = await tenant.post("/views", json={"name": "Team", "shared": True}, role="viewer")
    assert shared.status_code == 403, shared.text


async def test_inbound_email_needs_an_agent_or_the_inbound_scope(tenant: Tenant) -> None:
    """The hole this walk was written for: a viewer's session opened tickets by mail."""
    headers = {"Content-Type": "message/rfc822"}
    viewer = await tenant.post(
        "/inbound/email", content=_mail("v@customer.example"), headers=headers, role="viewer"
    )
    assert viewer.status_code == 403, viewer.text
    assert (await tenant.get("/tickets")).json()["items"] == []
    agent = await tenant.post(
        "/inbound/email", content=_mail("a@customer.example"), headers=headers, role="agent"
    )
    assert agent.status_code == 201, agent.text
    token = await tenant.post("/api-tokens", json={"name": "mx", "scopes": ["email:inbound"]})
    mta = await tenant.client.post(
        "/inbound/email",
        content=_mail("m@customer.example"),
        headers={**headers, "Authorization": f"Bearer {token.json()['token']}"},
    )
    assert mta.status_code == 201, mta.text
