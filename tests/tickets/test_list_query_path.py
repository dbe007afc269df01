"""The list's query path: label filters inside the statement, a page's context in one query."""

from __future__ import annotations

import pytest

from tests.support import Tenant
from ticketdesk.tickets import repository


async def test_label_filter_is_all_of_and_an_unknown_label_matches_nothing(
    tenant: Tenant,
) -> None:
    both = await tenant.create_ticket(subject="Both", labels=["refund", "vip"])
    await tenant.create_ticket(subject="Refund only", labels=["refund"])
    await tenant.create_ticket(subject="None")

    refund = await tenant.get("/tickets", params={"label": "refund"})
    assert sorted(t["subject"] for t in refund.json()["items"]) == ["Both", "Refund only"]
    all_of = await tenant.get("/tickets", params={"label": "vip,Refund"})
    assert [t["key"] for t in all_of.json()["items"]] == [both["key"]]
    unknown = await tenant.get("/tickets", params={"label": "refund,no-such-label"})
    assert unknown.status_code == 200
    assert unknown.json()["items"] == []
    stats = await tenant.get("/tickets/stats", params={"label": "refund"})
    assert stats.json()["total"] == 2


async def test_list_items_carry_labels_requester_assignee_and_team(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    agent_id = tenant.users["agent"]["id"]
    team = await tenant.post("/teams", json={"name": "Billing", "member_ids": [agent_id]})
    assert team.status_code == 201, team.text
    full = await tenant.create_ticket(
        subject="Full",
        labels=["b-label", "a-label"],
        requester={"email": "carol@example.com", "name": "Carol"},
        assignee_id=agent_id,
        team_id=team.json()["id"],
    )
    assert full["labels"] == ["a-label", "b-label"]
    assert full["requester"]["email"] == "carol@example.com"
    assert full["assignee"]["id"] == agent_id
    assert full["team"]["name"] == "Billing"
    bare = await tenant.create_ticket(subject="Bare", assignee_id=None)
    await other_tenant.create_ticket(subject="Elsewhere", labels=["a-label"])

    items = (await tenant.get("/tickets", role="viewer")).json()["items"]
    assert [t["subject"] for t in items] == ["Bare", "Full"]
    listed = {t["key"]: t for t in items}
    assert listed[full["key"]]["labels"] == ["a-label", "b-label"]
    assert listed[full["key"]]["requester"]["name"] == "Carol"
    assert listed[full["key"]]["assignee"]["name"] == "Bob Agent"
    assert listed[full["key"]]["team"]["id"] == team.json()["id"]
    assert listed[bare["key"]]["labels"] == []
    assert listed[bare["key"]]["requester"] is None
    assert listed[bare["key"]]["assignee"] is None


async def test_api_token_reads_its_own_workspace(tenant: Tenant, other_tenant: Tenant) -> None:
    created = await tenant.post(
        "/api-tokens", json={"name": "reader", "scopes": ["tickets:read", "tickets:write"]}
    )
    assert created.status_code == 201, created.text
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    await tenant.create_ticket(subject="Mine")
    await other_tenant.create_ticket(subject="Theirs")

    listed = await tenant.client.get("/tickets", headers=headers)
    assert [t["subject"] for t in listed.json()["items"]] == ["Mine"]
    made = await tenant.client.post("/tickets", json={"subject": "Via token"}, headers=headers)
    assert made.status_code == 201
    assert made.json()["key"] == "TKT-2"
    assert made.json()["channel"] == "api"


@pytest.mark.parametrize("rare_matches", [1000, 1])
async def test_full_text_search_for_rare_and_common_words(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, rare_matches: int
) -> None:
    monkeypatch.setattr(repository, "RARE_MATCHES", rare_matches)  # 1: every word is common
    await tenant.create_ticket(subject="Printer jammed", description="paper everywhere")
    second = await tenant.create_ticket(subject="Invoice wrong", description="printer invoice")
    await tenant.create_ticket(subject="Login fails")

    printers = await tenant.get("/tickets", params={"q": "printer"})
    assert sorted(t["subject"] for t in printers.json()["items"]) == [
        "Invoice wrong",
        "Printer jammed",
    ]
    both = await tenant.get("/tickets", params={"q": "printer invoice", "limit": "1"})
    assert [t["key"] for t in both.json()["items"]] == [second["key"]]
    assert both.json()["next_cursor"] is None
    nothing = await tenant.get("/tickets", params={"q": "zebra"})
    assert nothing.json()["items"] == []
    stats = await tenant.get("/tickets/stats", params={"q": "printer"})
    assert stats.json()["total"] == 2
