"""Using a macro on a ticket: the preview writes nothing; apply posts the reply and makes the
changes in one transaction through the ticket and comment services, names the macro in the
activity, honours If-Match, and on bad input answers 4xx with nothing written."""

from __future__ import annotations

from tests.automations.conftest import rule
from tests.macros.conftest import activity, macro

REPLY = (
    "Hi {{ ticket.requester.first_name }},\n\n"
    "your refund for {{ ticket.key }} ({{ ticket.status_label }}) is on its way.\n\n"
    "{{ agent.first_name }} from {{ workspace.name }}"
)
REFUND_ACTIONS = [
    {"type": "set_status", "value": "waiting"},
    {"type": "set_priority", "value": "high"},
    {"type": "add_labels", "value": ["refund", "Billing"]},
    {"type": "remove_labels", "value": ["inbox"]},
]


async def refund_ticket(tenant):
    return await tenant.create_ticket(
        subject="Where is my money?",
        requester={"email": "ada@example.com", "name": "Ada Lovelace"},
        labels=["inbox", "vip"],
        assignee_id=None,
    )


async def test_preview_renders_the_reply_and_lists_the_changes_without_writing(tenant):
    ticket = await refund_ticket(tenant)
    refund = await macro(
        tenant, shared=True, name="Refund issued", body=REPLY, actions=REFUND_ACTIONS
    )
    before = await activity(tenant, ticket["key"])
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{refund['id']}/preview", role="agent"
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["macro"] == {"id": refund["id"], "name": "Refund issued"}
    assert preview["comment"]["body"] == (
        "Hi Ada,\n\nyour refund for TKT-1 (Open) is on its way.\n\nBob from Acme"
    )
    assert preview["comment"]["visibility"] == "public"
    assert "<p>Hi Ada,</p>" in preview["comment"]["body_html"]
    assert preview["changes"] == {
        "status": {"from": "open", "to": "waiting"},
        "priority": {"from": "normal", "to": "high"},
        "labels": {
            "from": ["inbox", "vip"],
            "to": ["billing", "refund", "vip"],
            "added": ["billing", "refund"],
            "removed": ["inbox"],
        },
    }
    after = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert after["version"] == ticket["version"] and after["status"] == "open"
    assert await activity(tenant, ticket["key"]) == before
    assert (await tenant.get(f"/tickets/{ticket['key']}/comments")).json() == []


async def test_apply_replies_and_changes_the_ticket_in_one_go(tenant):
    ticket = await refund_ticket(tenant)
    refund = await macro(
        tenant, shared=True, name="Refund issued", body=REPLY, actions=REFUND_ACTIONS
    )
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{refund['id']}/apply",
        role="agent",
        headers={"If-Match": f'"{ticket["version"]}"'},
    )
    assert response.status_code == 200, response.text
    applied = response.json()
    assert response.headers["etag"] == f'"{applied["ticket"]["version"]}"'
    assert applied["ticket"]["status"] == "waiting"
    assert applied["ticket"]["priority"] == "high"
    assert applied["ticket"]["labels"] == ["billing", "refund", "vip"]
    assert applied["ticket"]["sla"]["first_responded_at"] is not None  # a public agent reply
    assert set(applied["changes"]) == {"status", "priority", "labels"}
    assert applied["comment"]["author"]["name"] == "Bob Agent"
    comments = (await tenant.get(f"/tickets/{ticket['key']}/comments")).json()
    assert [(c["body"], c["visibility"]) for c in comments] == [
        ("Hi Ada,\n\nyour refund for TKT-1 (Open) is on its way.\n\nBob from Acme", "public")
    ]
    timeline = await activity(tenant, ticket["key"])
    named = [e for e in timeline if "macro" in e["data"]]
    assert len(named) == 1
    assert named[0]["type"] == "ticket.macro_applied"
    assert named[0]["data"]["macro"] == {"id": refund["id"], "name": "Refund issued"}
    assert named[0]["data"]["comment_id"] == comments[0]["id"]
    assert named[0]["actor"] == {
        "kind": "user",
        "id": tenant.users["agent"]["id"],
        "name": "Bob Agent",
    }
    types = [e["type"] for e in timeline]
    assert {
        "ticket.status_changed",
        "ticket.priority_changed",
        "ticket.labels_changed",
        "ticket.comment_added",
    } <= set(types)
    # the changes come first, then the reply, then the line that names the macro
    assert types.index("ticket.comment_added") > types.index("ticket.status_changed")
    assert types[-1] == "ticket.macro_applied"


async def test_a_stale_if_match_is_a_412_and_changes_nothing(tenant):
    ticket = await refund_ticket(tenant)
    await tenant.patch(f"/tickets/{ticket['key']}", json={"subject": "Edited meanwhile"})
    refund = await macro(
        tenant, shared=True, name="Refund issued", body=REPLY, actions=REFUND_ACTIONS
    )
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{refund['id']}/apply",
        role="agent",
        headers={"If-Match": f'"{ticket["version"]}"'},
    )
    assert response.status_code == 412, response.text
    assert response.headers["content-type"] == "application/problem+json"
    now = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert now["status"] == "open" and now["priority"] == "normal"
    assert now["version"] == ticket["version"] + 1
    assert (await tenant.get(f"/tickets/{ticket['key']}/comments")).json() == []
    types = [e["type"] for e in await activity(tenant, ticket["key"])]
    assert "ticket.macro_applied" not in types and "ticket.status_changed" not in types


async def test_bad_input_at_apply_is_refused_and_nothing_is_written(tenant):
    await tenant.add_user("agent", "Carol Agent", key="carol")
    ticket = await refund_ticket(tenant)
    carol = tenant.users["carol"]["id"]
    handover = await macro(
        tenant,
        shared=True,
        name="Hand to Carol",
        body="Carol takes it from here.",
        actions=[{"type": "set_priority", "value": "urgent"}, {"type": "assign", "value": carol}],
    )
    url = f"/tickets/{ticket['key']}/macros/{handover['id']}/apply"
    # an edited reply the database cannot store, or too long for a comment
    for edited in ({"body": "bad \u0000 text"}, {"body": "x" * 70_000}, {"visibility": "public!"}):
        response = await tenant.post(url, role="agent", json=edited)
        assert response.status_code == 422, response.text
    # Carol left since the macro was saved: the macro no longer applies
    assert (await tenant.patch(f"/users/{carol}", json={"active": False})).status_code == 200
    for path in ("apply", "preview"):
        response = await tenant.post(url.replace("/apply", f"/{path}"), role="agent")
        assert response.status_code == 422, response.text
        assert "no longer apply" in response.json()["detail"]
    now = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert now["priority"] == "normal" and now["assignee"] is None
    assert now["version"] == ticket["version"]
    assert (await tenant.get(f"/tickets/{ticket['key']}/comments")).json() == []
    types = {e["type"] for e in await activity(tenant, ticket["key"])}
    assert types == {"ticket.created"}


async def test_an_internal_macro_adds_a_note_and_assigns_whoever_applies_it(tenant):
    ticket = await refund_ticket(tenant)
    triage = await macro(
        tenant,
        shared=True,
        name="Take it",
        body="Taking this one ({{ ticket.requester.email }}).",
        visibility="internal",
        actions=[{"type": "assign", "value": "me"}],
    )
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{triage['id']}/apply", role="agent"
    )
    assert response.status_code == 200, response.text
    applied = response.json()
    assert applied["ticket"]["assignee"]["id"] == tenant.users["agent"]["id"]
    assert applied["comment"]["visibility"] == "internal"
    assert applied["comment"]["body"] == "Taking this one (ada@example.com)."
    assert applied["ticket"]["sla"]["first_responded_at"] is None  # a note is no reply
    assert applied["changes"]["assignee"]["to"]["name"] == "Bob Agent"


async def test_the_agents_edit_of_the_reply_is_sent_as_written(tenant):
    ticket = await refund_ticket(tenant)
    refund = await macro(tenant, shared=True, name="Refund issued", body=REPLY)
    edited = "Hi Ada, refunded. {{ not a placeholder here }}"
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{refund['id']}/apply",
        role="agent",
        json={"body": edited, "visibility": "internal"},
    )
    assert response.status_code == 200, response.text
    comments = (await tenant.get(f"/tickets/{ticket['key']}/comments")).json()
    assert [(c["body"], c["visibility"]) for c in comments] == [(edited, "internal")]


async def test_rules_see_the_macros_changes(tenant):
    await rule(
        tenant,
        trigger="ticket.updated",
        name="Urgent goes to billing",
        conditions={"all": [{"field": "priority", "op": "is", "value": "urgent"}]},
        actions=[{"type": "add_labels", "value": ["escalated"]}],
    )
    ticket = await refund_ticket(tenant)
    escalate = await macro(
        tenant, shared=True, name="Escalate", actions=[{"type": "set_priority", "value": "urgent"}]
    )
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{escalate['id']}/apply", role="agent"
    )
    assert response.status_code == 200, response.text
    assert response.json()["comment"] is None
    assert "escalated" in response.json()["ticket"]["labels"]
    by_rule = [e for e in await activity(tenant, ticket["key"]) if e["actor"]["kind"] == "system"]
    assert [e["type"] for e in by_rule] == ["ticket.labels_changed"]


async def test_who_may_apply_and_where(tenant):
    first = await refund_ticket(tenant)
    second = await tenant.create_ticket(subject="Same thing")
    refund = await macro(tenant, shared=True, name="Refund issued", body=REPLY)
    viewer = await tenant.post(
        f"/tickets/{first['key']}/macros/{refund['id']}/apply", role="viewer"
    )
    assert viewer.status_code == 403
    merged = await tenant.post(f"/tickets/{first['key']}/merge", json={"into": second["key"]})
    assert merged.status_code == 200, merged.text
    for path in ("preview", "apply"):
        response = await tenant.post(
            f"/tickets/{first['key']}/macros/{refund['id']}/{path}", role="agent"
        )
        assert response.status_code == 409, response.text
    missing = await tenant.post(f"/tickets/TKT-99/macros/{refund['id']}/apply", role="agent")
    assert missing.status_code == 404
    nobody = "00000000-0000-4000-8000-000000000000"
    unknown = await tenant.post(f"/tickets/{second['key']}/macros/{nobody}/apply", role="agent")
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Macro not found"


async def test_placeholders_of_a_ticket_without_requester_or_assignee_render_empty(tenant):
    ticket = await tenant.create_ticket(subject="No one", assignee_id=None)
    greet = await macro(
        tenant,
        shared=True,
        name="Greet",
        body="Hello {{ ticket.requester.name or 'there' }}{{ ticket.assignee.name }}"
        "{{ ticket.custom_fields.order_id }}!",
    )
    response = await tenant.post(
        f"/tickets/{ticket['key']}/macros/{greet['id']}/preview", role="agent"
    )
    assert response.status_code == 200, response.text
    assert response.json()["comment"]["body"] == "Hello there!"
