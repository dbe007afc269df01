"""Contacts and organisations over HTTP: search, keyset pages, counts, tenant scope, input."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from tests.support import Statements, Tenant
from ticketdesk.models import Event


async def _ticket(tenant: Tenant, email: str, name: str | None = None, **fields: Any) -> dict:
    requester = {"email": email, **({"name": name} if name else {})}
    return await tenant.create_ticket(requester=requester, **fields)


async def _solve(tenant: Tenant, ticket: dict[str, Any]) -> None:
    response = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "resolved"})
    assert response.status_code == 200, response.text


async def _all_pages(tenant: Tenant, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await tenant.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


async def test_contacts_carry_their_organisation_and_ticket_counts(tenant: Tenant) -> None:
    first = await _ticket(tenant, "Ada@Acme.com", "Ada Lovelace")
    await _ticket(tenant, "ada@acme.com", subject="Second")
    solved = await _ticket(tenant, "ada@acme.com", subject="Third")
    await _solve(tenant, solved)
    await _ticket(tenant, "grace@gmail.com", "Grace Hopper")

    items = (await tenant.get("/contacts", role="viewer")).json()["items"]
    assert [(c["email"], c["name"], c["organization"]) for c in items] == [
        ("ada@acme.com", "Ada Lovelace", "acme.com"),
        ("grace@gmail.com", "Grace Hopper", None),
    ]
    ada, grace = items
    assert (ada["tickets_open"], ada["tickets_total"]) == (2, 3)
    assert (grace["tickets_open"], grace["tickets_total"]) == (1, 1)
    assert ada["last_ticket_at"] >= first["created_at"]

    one = await tenant.get(f"/contacts/{ada['id']}", role="viewer")
    assert one.status_code == 200
    assert one.json() == ada
    theirs = await tenant.get("/tickets", params={"requester": "ADA@acme.com"})
    assert sorted(t["subject"] for t in theirs.json()["items"]) == [
        "Printer on fire",
        "Second",
        "Third",
    ]


async def test_search_is_case_insensitive_by_prefix_and_substring(tenant: Tenant) -> None:
    for email, name in (
        ("ada@acme.com", "Ada Lovelace"),
        ("grace@navy.mil", "Grace Hopper"),
        ("alan@bletchley.uk", "Alan Turing"),
        ("katherine@nasa.gov", None),
        ("under_score@x.io", "Percent 100% Sure"),
    ):
        await _ticket(tenant, email, name)

    async def found(q: str) -> list[str]:
        page = await tenant.get("/contacts", params={"q": q})
        assert page.status_code == 200, page.text
        return [c["email"] for c in page.json()["items"]]

    assert await found("a") == ["ada@acme.com", "alan@bletchley.uk"]  # a prefix: name or email
    assert await found("GR") == ["grace@navy.mil"]
    assert await found("ov") == []  # two letters inside a word are no prefix
    assert await found("LOVE") == ["ada@acme.com"]  # three or more: anywhere in the name
    assert await found("nasa.g") == ["katherine@nasa.gov"]  # … or in the email
    assert await found("ring") == ["alan@bletchley.uk"]
    assert await found("0% s") == ["under_score@x.io"]  # % and _ are literal
    assert await found("r_s") == ["under_score@x.io"]
    assert await found("e_s") == []
    assert await found('"quoted"') == []
    assert await found("zzz") == []
    narrowed = await tenant.get("/contacts", params={"q": "a", "organization": "ACME.com"})
    assert [c["email"] for c in narrowed.json()["items"]] == ["ada@acme.com"]


async def test_contacts_come_in_keyset_pages(tenant: Tenant) -> None:
    emails = [f"person{n:02}@example.org" for n in range(7)]
    for email in reversed(emails):
        await _ticket(tenant, email)
    first = (await tenant.get("/contacts", params={"limit": 3})).json()
    assert [c["email"] for c in first["items"]] == emails[:3]
    assert first["next_cursor"]
    listed = await _all_pages(tenant, "/contacts", limit=3)
    assert [c["email"] for c in listed] == emails
    searched = await _all_pages(tenant, "/contacts", q="person", limit=2)
    assert [c["email"] for c in searched] == emails


async def test_one_page_costs_a_fixed_number_of_queries(tenant: Tenant, db: Any) -> None:
    for n in range(12):
        await _ticket(tenant, f"many{n:02}@example.org")
    with Statements(db) as seen:
        page = await tenant.get("/contacts", params={"limit": 10})
    assert len(page.json()["items"]) == 10
    on_contacts = [sql for sql in seen if "FROM contacts" in sql]
    on_tickets = [sql for sql in seen if "FROM tickets" in sql]
    assert len(on_contacts) == 1, on_contacts
    assert len(on_tickets) == 1, "ticket counts are one grouped query per page, not one per row"
    assert "GROUP BY" in on_tickets[0]


async def test_agents_rename_contacts_and_the_change_is_an_event(tenant: Tenant, db: Any) -> None:
    ticket = await _ticket(tenant, "bob@acme.com", "Bob")
    contact_id = ticket["requester"]["id"]
    refused = await tenant.patch(f"/contacts/{contact_id}", json={"name": "X"}, role="viewer")
    assert refused.status_code == 403
    renamed = await tenant.patch(
        f"/contacts/{contact_id}", json={"name": "  Robert Tables "}, role="agent"
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Robert Tables"
    assert renamed.json()["tickets_total"] == 1
    again = await tenant.get(f"/tickets/{ticket['key']}")
    assert again.json()["requester"]["name"] == "Robert Tables"
    cleared = await tenant.patch(f"/contacts/{contact_id}", json={"name": None}, role="agent")
    assert cleared.json()["name"] is None
    unchanged = await tenant.patch(f"/contacts/{contact_id}", json={}, role="agent")
    assert unchanged.status_code == 200
    # the activity of the ticket is the ticket's: a contact edit is not on it
    activity = (await tenant.get(f"/tickets/{ticket['key']}/activity")).json()["items"]
    assert "contact.updated" not in [event["type"] for event in activity]
    async with db.unit_of_work() as session:
        written = (
            await session.scalars(
                select(Event)
                .where(
                    Event.workspace_id == uuid.UUID(tenant.workspace_id),
                    Event.type == "contact.updated",
                )
                .order_by(Event.id)
            )
        ).all()
    assert [(e.ticket_id, e.actor_name, e.data["changes"]["name"]) for e in written] == [
        (None, "Bob Agent", {"from": "Bob", "to": "Robert Tables"}),
        (None, "Bob Agent", {"from": "Robert Tables", "to": None}),
    ]  # one per change: the empty PATCH wrote nothing


async def test_organisations_group_contacts_by_domain_without_free_mail(tenant: Tenant) -> None:
    a1 = await _ticket(tenant, "ada@acme.com", "Ada")
    await _ticket(tenant, "ada@acme.com", subject="Again")
    await _ticket(tenant, "bob@acme.com", "Bob")
    await _solve(tenant, a1)
    await _ticket(tenant, "carol@globex.io")
    for free in ("x@gmail.com", "y@gmx.de", "z@yahoo.co.uk", "w@web.de", "v@outlook.com"):
        await _ticket(tenant, free)
    await tenant.post("/tickets", json={"subject": "No requester"})

    listed = (await tenant.get("/organizations", role="viewer")).json()
    assert listed["next_cursor"] is None
    summary = [
        (o["domain"], o["contacts"], o["tickets_open"], o["tickets_total"]) for o in listed["items"]
    ]
    assert summary == [("acme.com", 2, 2, 3), ("globex.io", 1, 1, 1)]
    assert listed["items"][0]["last_ticket_at"] is not None

    one = await tenant.get("/organizations/ACME.com")
    assert one.status_code == 200
    assert one.json() == listed["items"][0]
    for missing in ("gmail.com", "nowhere.example", "gmx.de"):
        assert (await tenant.get(f"/organizations/{missing}")).status_code == 404, missing

    searched = (await tenant.get("/organizations", params={"q": "lobe"})).json()["items"]
    assert [o["domain"] for o in searched] == ["globex.io"]
    paged = await _all_pages(tenant, "/organizations", limit=1)
    assert [o["domain"] for o in paged] == ["acme.com", "globex.io"]

    tickets = (await tenant.get("/tickets", params={"organization": "acme.com"})).json()
    assert len(tickets["items"]) == 3
    both = await tenant.get("/tickets/stats", params={"organization": "acme.com,Globex.io"})
    assert both.json()["total"] == 4
    contacts = (await tenant.get("/contacts", params={"organization": "acme.com"})).json()
    assert [c["email"] for c in contacts["items"]] == ["ada@acme.com", "bob@acme.com"]


async def test_another_workspaces_contacts_are_invisible(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await _ticket(other_tenant, "secret@initech.com", "Secret Person")
    await _ticket(tenant, "mine@acme.com")
    contact_id = theirs["requester"]["id"]
    assert (await tenant.get(f"/contacts/{contact_id}")).status_code == 404
    renamed = await tenant.patch(f"/contacts/{contact_id}", json={"name": "Hacked"})
    assert renamed.status_code == 404
    assert (await tenant.get("/organizations/initech.com")).status_code == 404
    for params in ({}, {"q": "secret"}, {"q": "se"}, {"organization": "initech.com"}):
        listed = (await tenant.get("/contacts", params=params)).json()["items"]
        assert "secret@initech.com" not in [c["email"] for c in listed], params
    orgs = (await tenant.get("/organizations")).json()["items"]
    assert [o["domain"] for o in orgs] == ["acme.com"]
    assert (await tenant.get("/tickets", params={"organization": "initech.com"})).json()[
        "items"
    ] == []
    still = await other_tenant.get(f"/contacts/{contact_id}")
    assert still.json()["name"] == "Secret Person"


async def test_bad_input_is_422_and_changes_nothing(tenant: Tenant) -> None:
    ticket = await _ticket(tenant, "eve@acme.com", "Eve")
    contact_id = ticket["requester"]["id"]
    for params in (
        {"limit": 0},
        {"limit": 101},
        {"cursor": "not a cursor"},
        {"cursor": "bm9wZQ"},
        {"cursor": "WzFd"},  # [1]: a cursor of the wrong shape
        {"q": "x" * 201},
        {"q": "a\x00b"},
        {"organization": "a b"},
        {"nonsense": "1"},
    ):
        response = await tenant.get("/contacts", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    for params in ({"limit": 0}, {"cursor": "WzFd"}, {"q": "x" * 256}):
        assert (await tenant.get("/organizations", params=params)).status_code == 422, params
    assert (await tenant.get("/contacts/not-an-id")).status_code == 422
    for body in ({"name": "x" * 201}, {"name": 5}, {"email": "new@acme.com"}, {"name": "a\nb"}):
        response = await tenant.patch(f"/contacts/{contact_id}", json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await tenant.get(f"/contacts/{contact_id}")).json()["name"] == "Eve"
    assert (await tenant.get("/tickets", params={"organization": "a" * 2001})).status_code == 422


async def test_any_search_text_is_answered(tenant: Tenant) -> None:
    await _ticket(tenant, "zoe@acme.com", "Zoë Ünal")
    for q in ("\U0010ffff", "z\U0010ffff", "ü", "Ünal", "*", '"', "'", "a:b", "^x", "%", "_", "\\"):
        for path in ("/contacts", "/organizations"):
            response = await tenant.get(path, params={"q": q})
            assert response.status_code == 200, (path, q, response.text)
    found = await tenant.get("/contacts", params={"q": "ünal"})
    assert [c["email"] for c in found.json()["items"]] == ["zoe@acme.com"]
